package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/internal/store/storetest"
)

// fixedClock is a whole-second clock: PostgreSQL keeps microseconds, so
// round trips compare equal only on times without nanoseconds.
func fixedClock() cordon.Clock {
	t := time.Date(2026, 6, 15, 1, 0, 0, 0, time.UTC)
	return func() time.Time { return t }
}

func TestCustomerRoundTrip(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers := store.NewCustomerStore(db)
		c := &cordon.Customer{Code: "C-0001", City: "Hefei", Identity: &cordon.CustomerIdentity{
			Name: "某部 96723 部队", UnitDesignation: "96723", ContactPerson: "张伟",
			Phone: "0551-62345678", SiteAddress: "合肥市蜀山区长江西路 100 号",
		}}
		if err := customers.CreateCustomer(ctx, c); err != nil {
			t.Fatal(err)
		}
		if c.ID == 0 || c.Identity.CustomerID != c.ID {
			t.Fatalf("ids not set: %+v %+v", c, c.Identity)
		}
		got, err := customers.FindCustomerByID(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, got); diff != "" {
			t.Errorf("FindCustomerByID mismatch (-want +got):\n%s", diff)
		}

		bare := &cordon.Customer{Code: "C-0002", City: "Wuhan"}
		if err := customers.CreateCustomer(ctx, bare); err != nil {
			t.Fatal(err)
		}
		got, err = customers.FindCustomerByID(ctx, bare.ID)
		if err != nil || got.Identity != nil {
			t.Fatalf("customer without identity: got %+v, %v", got, err)
		}

		dup := &cordon.Customer{Code: "C-0001", City: "Wuhu", Identity: &cordon.CustomerIdentity{Name: "x"}}
		if err := customers.CreateCustomer(ctx, dup); cordon.ErrorCode(err) != cordon.ECONFLICT {
			t.Errorf("duplicate code: got %v, want conflict", err)
		}
		if _, err := customers.FindCustomerByID(ctx, 9999); cordon.ErrorCode(err) != cordon.ENOTFOUND {
			t.Errorf("missing: got %v, want not found", err)
		}
		for _, bad := range []struct {
			field string
			c     *cordon.Customer
		}{
			{"code", &cordon.Customer{Code: " ", City: "Hefei"}},
			{"city", &cordon.Customer{Code: "C-0009"}},
			{"name", &cordon.Customer{Code: "C-0009", City: "Hefei", Identity: &cordon.CustomerIdentity{}}},
		} {
			err := customers.CreateCustomer(ctx, bad.c)
			if e := cordon.AsError(err); e == nil || e.Code != cordon.EINVALID || e.Field != bad.field {
				t.Errorf("bad %s: got %v, want invalid naming %s", bad.field, err, bad.field)
			}
		}
	})
}

func TestCustomerIdentityRollsBack(t *testing.T) {
	storetest.Each(t, storetest.Options{Now: fixedClock()}, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		customers := store.NewCustomerStore(db)
		// A failing identity insert must take the customer row with it.
		err := db.WithTx(ctx, func(ctx context.Context) error {
			c := &cordon.Customer{Code: "C-0100", City: "Hefei", Identity: &cordon.CustomerIdentity{Name: "A"}}
			if err := customers.CreateCustomer(ctx, c); err != nil {
				return err
			}
			return store.ExecForTest(ctx, db, "INSERT INTO customer_identities (customer_id, name) VALUES (?, 'dup')", c.ID)
		})
		if cordon.ErrorCode(err) == "" {
			t.Fatal("duplicate identity row was accepted")
		}
		c := &cordon.Customer{Code: "C-0100", City: "Hefei"}
		if err := customers.CreateCustomer(ctx, c); err != nil {
			t.Fatalf("code still taken after rollback: %v", err)
		}
	})
}
