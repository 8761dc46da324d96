"""What the leads read: the status screen and its caches, the brief, the digest, engagement, decisions."""
