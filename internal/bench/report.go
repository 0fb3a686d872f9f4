package bench

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"text/tabwriter"
	"time"
)

// Machine is where the benchmark ran.
type Machine struct {
	CPU       string `json:"cpu"`
	Cores     int    `json:"cores"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Postgres  string `json:"pg_version"`
}

// ThisMachine describes the machine; pg is the server's version string.
func ThisMachine(pg string) Machine {
	m := Machine{CPU: "unknown", Cores: runtime.NumCPU(), GoVersion: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH, Postgres: pg}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPU = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

// Case is one line of the table.
type Case struct {
	Name        string  `json:"name"`
	RPS         float64 `json:"rps"`
	P50ms       float64 `json:"p50_ms"`
	P99ms       float64 `json:"p99_ms"`
	BaselineRPS float64 `json:"baseline_rps"`
	Ratio       float64 `json:"ratio"`
	CPUus       float64 `json:"cpu_us_per_req"`
	PeakRSSMB   float64 `json:"peak_rss_mb"`
	Errors      int     `json:"errors"`
	// The baseline's own figures, for the record.
	BaselineP50ms float64 `json:"baseline_p50_ms"`
	BaselineP99ms float64 `json:"baseline_p99_ms"`
	BaselineCPUus float64 `json:"baseline_cpu_us_per_req"`
}

// NewCase puts a product run and its baseline run side by side.
func NewCase(name string, got, base Result) Case {
	c := Case{
		Name: name, RPS: got.RPS(), P50ms: ms(got.P50), P99ms: ms(got.P99),
		BaselineRPS: base.RPS(), CPUus: us(got.CPUPerRequest()), PeakRSSMB: float64(got.PeakRSS) / (1 << 20),
		Errors: got.Errors + base.Errors, BaselineP50ms: ms(base.P50), BaselineP99ms: ms(base.P99),
		BaselineCPUus: us(base.CPUPerRequest()),
	}
	if c.BaselineRPS > 0 {
		c.Ratio = c.RPS / c.BaselineRPS
	}
	return c
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func us(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// Report is the whole run.
type Report struct {
	Machine Machine `json:"machine"`
	Size    string  `json:"size"`
	Conns   int     `json:"conns"`
	// Seconds each case ran, measured.
	Duration float64 `json:"duration_s"`
	Cases    []Case  `json:"cases"`
	// The scope decision, CPU time per call, with and without the decision
	// cache.
	DecideUncachedUS float64 `json:"authz_decide_uncached_us"`
	DecideCachedUS   float64 `json:"authz_decide_cached_us"`
	// SealPerSecond is access events sealed per second.
	SealPerSecond float64 `json:"seal_events_per_s"`
	SeedSeconds   float64 `json:"seed_s"`
	// The machine's load average (1, 5, 15 min) before and after the load:
	// other work on the machine weighs on every figure.
	LoadBefore string `json:"loadavg_before"`
	LoadAfter  string `json:"loadavg_after"`
}

// LoadAvg is the machine's 1, 5 and 15 minute load average, or "".
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// Print writes the table.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "\nmachine: %s, %d cores, %s, %s\npostgres: %s\nsize %s, %d connections, %.0f s per case\n\n",
		r.Machine.CPU, r.Machine.Cores, r.Machine.GoVersion, r.Machine.OS, r.Machine.Postgres, r.Size, r.Conns, r.Duration)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "case\treq/s\tp50 ms\tp99 ms\tbaseline req/s\tratio\tCPU µs/req\tpeak RSS MB\terrors\t")
	for _, c := range r.Cases {
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%.0f\t%.2f\t%.0f\t%.0f\t%d\t\n",
			c.Name, c.RPS, c.P50ms, c.P99ms, c.BaselineRPS, c.Ratio, c.CPUus, c.PeakRSSMB, c.Errors)
	}
	tw.Flush()
	fmt.Fprintf(w, "\nauthorization decision: %.2f µs uncached, %.2f µs cached\n", r.DecideUncachedUS, r.DecideCachedUS)
	fmt.Fprintf(w, "sealing: %.0f events/s\n", r.SealPerSecond)
	if r.LoadBefore != "" {
		fmt.Fprintf(w, "load average: %s before, %s after the load\n", r.LoadBefore, r.LoadAfter)
	}
}

// WriteJSON writes the report to path.
func (r *Report) WriteJSON(path string) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}

// TimeEach calls fn n times and returns the mean process CPU time per
// call: on a busy machine wall time would count the time others ran. Call
// it while nothing else in the process works.
func TimeEach(n int, fn func(i int) error) (time.Duration, error) {
	c0 := CPUTime()
	for i := range n {
		if err := fn(i); err != nil {
			return 0, err
		}
	}
	return (CPUTime() - c0) / time.Duration(n), nil
}
