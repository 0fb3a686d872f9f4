package sla

import (
	"testing"
	"time"

	"github.com/cordon/cordon/internal/cordon"
)

// TestContractClocks: the clocks a scorecard counts follow the contract's
// business calendar. An offer made at 17:00 CST on a Monday and accepted
// at 08:45 on the Tuesday used 45 business minutes of its hour (met) but
// 15 h 45 min of wall time (breached, as it would be for a 24x7 contract).
func TestContractClocks(t *testing.T) {
	j, evs := timeline(945, accepted) // t0 is Monday 09:00 UTC, 17:00 CST
	office := &cordon.Contract{Calendar: &cordon.Calendar{Offset: 8 * time.Hour, Open: 8*time.Hour + 30*time.Minute,
		Close: 17*time.Hour + 30*time.Minute, Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday}}}
	accept := func(c *cordon.Contract) cordon.SLAClock {
		for _, k := range (Meter{}).ContractClocks(c, j, evs, terms, mins(2000)) {
			if k.Name == "accept" {
				return k
			}
		}
		t.Fatal("no accept clock")
		return cordon.SLAClock{}
	}
	if k := accept(office); !k.Met || k.Breached || k.Used != 45*time.Minute {
		t.Errorf("with business hours: %+v, want met after 45 min", k)
	}
	if k := accept(&cordon.Contract{}); !k.Breached || k.Met {
		t.Errorf("24x7: %+v, want breached", k)
	}
}
