package store_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// BenchmarkImportUnits imports 100,000 new units of 2,000 new customers in
// one batch, the scale issue 15 asks to import in under 60 s:
//
//	CORDON_TEST_DATABASE_URL=... go test ./internal/store -run '^$' -bench ImportUnits -benchtime 1x
func BenchmarkImportUnits(b *testing.B) {
	const units, customers = 100_000, 2_000
	for _, engine := range []struct {
		name string
		open func(testing.TB, storetest.Options) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}} {
		b.Run(engine.name, func(b *testing.B) {
			db := engine.open(b, storetest.Options{})
			ctx := context.Background()
			catalog := store.NewCatalogStore(db)
			line := &cordon.ProductLine{Code: "radar", Name: "雷达"}
			if err := catalog.CreateProductLine(ctx, line); err != nil {
				b.Fatal(err)
			}
			model := &cordon.Model{ProductLineID: line.ID, Code: "RD-200", Name: "低空监视雷达"}
			if err := catalog.CreateModel(ctx, model); err != nil {
				b.Fatal(err)
			}
			b.ResetTimer()
			for n := 0; n < b.N; n++ {
				b.StopTimer()
				batch := importBatchOf(n, model.ID, units, customers)
				b.StartTimer()
				if err := catalog.ImportUnits(ctx, batch); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(units*b.N)/b.Elapsed().Seconds(), "units/s")
		})
	}
}

// importBatchOf is an import of units new units spread over customers new
// customers, every name of it unique to run.
func importBatchOf(run int, modelID int64, units, customers int) *cordon.ImportBatch {
	b := &cordon.ImportBatch{NewUnitCustomer: make(map[int]int, units)}
	for i := range customers {
		b.NewCustomers = append(b.NewCustomers, &cordon.Customer{
			Code: fmt.Sprintf("R%d-C-%05d", run, i), City: "Hefei",
			Identity: &cordon.CustomerIdentity{Name: fmt.Sprintf("某部 %d", i), Phone: "0551-62345678", SiteAddress: "合肥市"},
		})
	}
	for i := range units {
		due := day(2026, 9, 1)
		b.NewUnits = append(b.NewUnits, &cordon.Unit{
			ModelID: modelID, Serial: fmt.Sprintf("R%d-S-%07d", run, i), Batch: "B-24A", SiteCity: "Hefei",
			DeliveredOn: day(2024, 3, 1), WarrantyEnd: day(2027, 3, 1), FollowUpMonths: 6, NextVisitDue: &due,
		})
		b.NewUnitCustomer[i] = i % customers
	}
	return b
}
