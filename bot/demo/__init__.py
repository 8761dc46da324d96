"""The simulated winter behind `winterbot demo`."""
