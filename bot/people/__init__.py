"""Who is on which programme, who may do what, who is away, and the workspaces."""
