package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"
)

func runMigrate(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	c, _, err := loadConfig("migrate", args, getenv, nil)
	if err != nil {
		return err
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "Migrated the %s database.\n", db.Dialect())
	return nil
}

func runSeed(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var withDemo bool
	c, _, err := loadConfig("seed", args, getenv, func(fs *flag.FlagSet, _ *config) {
		fs.BoolVar(&withDemo, "demo", false, "seed the demo world")
	})
	if err != nil {
		return err
	}
	if !withDemo {
		return usageError{"seed needs --demo (the only world there is to seed)"}
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	return seedDemo(ctx, c, db, stdout, true, time.Now)
}
