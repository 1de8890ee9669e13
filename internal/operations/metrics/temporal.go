package metrics

import (
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// timerBuckets are the histogram buckets of the Temporal SDK's timers (request
// and task latencies), in seconds.
var timerBuckets = prometheus.ExponentialBuckets(0.001, 4, 10)

// Temporal returns a Temporal SDK metrics handler (client.Options.MetricsHandler)
// that exports the SDK's counters, gauges and timers on m's registry, so the
// SDK's own metrics appear on the same /metrics page. Timers become histograms
// in seconds. The SDK's tags (namespace, task queue, workflow and activity
// types, operation) are bounded, so they become labels as they are.
//
// The SDK creates metrics by name at run time with varying tag sets, which
// client_golang's fixed-label vectors cannot hold; the handler therefore keeps
// its own series and is registered as one unchecked collector.
func (m *Metrics) Temporal() client.MetricsHandler {
	c := &temporalCollector{series: map[string]*series{}}
	m.reg.MustRegister(c)
	return temporalHandler{c: c}
}

type seriesKind int

const (
	kindCounter seriesKind = iota
	kindGauge
	kindTimer
)

// series is one metric name with one label set.
type series struct {
	kind    seriesKind
	name    string
	labels  map[string]string
	value   float64 // counter or gauge
	count   uint64  // timer
	sum     float64 // timer, seconds
	buckets []uint64
}

type temporalCollector struct {
	mu     sync.Mutex
	series map[string]*series
}

// Describe sends nothing: the collector is unchecked because its metrics are
// only known once the SDK creates them.
func (c *temporalCollector) Describe(chan<- *prometheus.Desc) {}

func (c *temporalCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.series {
		names := slices.Sorted(maps.Keys(s.labels))
		values := make([]string, len(names))
		for i, n := range names {
			values[i] = s.labels[n]
		}
		switch s.kind {
		case kindCounter:
			name := s.name
			if !strings.HasSuffix(name, "_total") { // some SDK counters already end so
				name += "_total"
			}
			d := prometheus.NewDesc(name, "Temporal SDK counter "+s.name+".", names, nil)
			ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, s.value, values...)
		case kindGauge:
			d := prometheus.NewDesc(s.name, "Temporal SDK gauge "+s.name+".", names, nil)
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, s.value, values...)
		case kindTimer:
			d := prometheus.NewDesc(s.name+"_seconds", "Temporal SDK timer "+s.name+".", names, nil)
			cum := map[float64]uint64{}
			var n uint64
			for i, b := range timerBuckets {
				n += s.buckets[i]
				cum[b] = n
			}
			ch <- prometheus.MustNewConstHistogram(d, s.count, s.sum, cum, values...)
		}
	}
}

// get returns the series of (kind, name, labels), creating it.
func (c *temporalCollector) get(kind seriesKind, name string, labels map[string]string) *series {
	// The kind is part of the key: the SDK could ask for a counter and a timer
	// of one name, and each needs its own storage.
	var b strings.Builder
	b.WriteString(strconv.Itoa(int(kind)) + "\xff" + name)
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		b.WriteString("\xff" + k + "\xfe" + labels[k])
	}
	key := b.String()
	c.mu.Lock()
	defer c.mu.Unlock()
	s, ok := c.series[key]
	if !ok {
		s = &series{kind: kind, name: name, labels: labels}
		if kind == kindTimer {
			s.buckets = make([]uint64, len(timerBuckets))
		}
		c.series[key] = s
	}
	return s
}

type temporalHandler struct {
	c    *temporalCollector
	tags map[string]string
}

func (h temporalHandler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := maps.Clone(h.tags)
	if merged == nil {
		merged = map[string]string{}
	}
	for k, v := range tags {
		merged[sanitizeLabel(k)] = v
	}
	return temporalHandler{c: h.c, tags: merged}
}

func (h temporalHandler) Counter(name string) client.MetricsCounter {
	s := h.c.get(kindCounter, sanitizeName(name), h.tags)
	return counterFunc(func(d int64) {
		h.c.mu.Lock()
		s.value += float64(d)
		h.c.mu.Unlock()
	})
}

func (h temporalHandler) Gauge(name string) client.MetricsGauge {
	s := h.c.get(kindGauge, sanitizeName(name), h.tags)
	return gaugeFunc(func(v float64) {
		h.c.mu.Lock()
		s.value = v
		h.c.mu.Unlock()
	})
}

func (h temporalHandler) Timer(name string) client.MetricsTimer {
	s := h.c.get(kindTimer, sanitizeName(name), h.tags)
	return timerFunc(func(d time.Duration) {
		sec := d.Seconds()
		h.c.mu.Lock()
		defer h.c.mu.Unlock()
		s.count++
		s.sum += sec
		for i, b := range timerBuckets {
			if sec <= b {
				s.buckets[i]++
				break
			}
		}
	})
}

type counterFunc func(int64)

func (f counterFunc) Inc(d int64) { f(d) }

type gaugeFunc func(float64)

func (f gaugeFunc) Update(v float64) { f(v) }

type timerFunc func(time.Duration)

func (f timerFunc) Record(d time.Duration) { f(d) }

// sanitizeName maps an SDK metric name to a valid Prometheus name.
func sanitizeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '_' || r == ':' || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			return r
		}
		return '_'
	}, s)
}

// sanitizeLabel maps an SDK tag name to a valid Prometheus label name.
func sanitizeLabel(s string) string {
	return strings.ReplaceAll(sanitizeName(s), ":", "_")
}
