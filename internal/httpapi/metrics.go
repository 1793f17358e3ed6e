package httpapi

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
)

// poolCollector exports the database pool's statistics.
type poolCollector struct {
	pool                          *pgxpool.Pool
	total, idle, inUse, max, wait *prometheus.Desc
}

func newPoolCollector(pool *pgxpool.Pool) *poolCollector {
	d := func(name, help string) *prometheus.Desc {
		return prometheus.NewDesc("coldchain_db_pool_"+name, help, nil, nil)
	}
	return &poolCollector{
		pool:  pool,
		total: d("connections", "Open database connections."),
		idle:  d("idle_connections", "Idle database connections."),
		inUse: d("acquired_connections", "Database connections in use."),
		max:   d("max_connections", "Most connections the pool opens."),
		wait:  d("acquire_wait_seconds_total", "Time spent waiting for a connection."),
	}
}

func (c *poolCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.total
	ch <- c.idle
	ch <- c.inUse
	ch <- c.max
	ch <- c.wait
}

func (c *poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.pool.Stat()
	ch <- prometheus.MustNewConstMetric(c.total, prometheus.GaugeValue, float64(st.TotalConns()))
	ch <- prometheus.MustNewConstMetric(c.idle, prometheus.GaugeValue, float64(st.IdleConns()))
	ch <- prometheus.MustNewConstMetric(c.inUse, prometheus.GaugeValue, float64(st.AcquiredConns()))
	ch <- prometheus.MustNewConstMetric(c.max, prometheus.GaugeValue, float64(st.MaxConns()))
	ch <- prometheus.MustNewConstMetric(c.wait, prometheus.CounterValue, st.AcquireDuration().Seconds())
}
