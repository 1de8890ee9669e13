package store

import "time"

// StatsFilter selects the receipts Stats summarises, by when they were received.
// Zero fields do not filter.
type StatsFilter struct {
	Source string
	Since  time.Time // inclusive
	Until  time.Time // exclusive
}

// StatusStats summarises the receipts of one source in one status. Processing
// time is CompletedAt - ReceivedAt, over the receipts that have a CompletedAt
// (Processed of them); with none, the average and p95 are zero. P95 is the
// continuous 95th percentile (linear interpolation between the two nearest
// ranks, as PostgreSQL's percentile_cont), at microsecond precision.
type StatusStats struct {
	Source        string
	Status        Status
	Count         int
	Processed     int
	AvgProcessing time.Duration
	P95Processing time.Duration
}
