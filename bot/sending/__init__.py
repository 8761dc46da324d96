"""What the clock sends and how: the delivery ledger, job runs, the scheduler and its jobs."""
