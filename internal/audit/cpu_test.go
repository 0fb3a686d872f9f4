package audit

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time the process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports the process's CPU time per event since cpu0: on a
// shared machine the wall-clock rate depends on the other load, the CPU
// spent per event much less.
func reportCPU(b *testing.B, cpu0 time.Duration, events int) {
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(events), "cpu-ns/event")
}
