"""What the clock sends and how: the delivery ledger, job runs, escalations, the scheduler and its
jobs, and the port a platform's messenger implements (with what it may read before sending)."""
