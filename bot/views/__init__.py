"""What the process holds of the database to answer reads without it: the views computed per
data version, and who is on which programme."""
