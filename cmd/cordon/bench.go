package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cordon/cordon/contracts"
	"github.com/cordon/cordon/internal/app"
	"github.com/cordon/cordon/internal/authn"
	"github.com/cordon/cordon/internal/authz"
	"github.com/cordon/cordon/internal/bench"
	"github.com/cordon/cordon/internal/contract"
	"github.com/cordon/cordon/internal/cordon"
	"github.com/cordon/cordon/internal/server"
	"github.com/cordon/cordon/internal/store"
	"github.com/cordon/cordon/policies"
)

// runBench is "cordon bench": seed PostgreSQL at scale, then drive the real
// server and the raw pgx baselines with the same load, and print the table
// (docs/performance.md).
func runBench(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var (
		quick, tiny          bool
		conns                int
		dur                  time.Duration
		jsonPath, cpuProfile string
		only                 string
	)
	c, flags, err := loadConfig("bench", args, getenv, func(fs *flag.FlagSet, c *config) {
		fs.StringVar(&c.DatabaseURL, "database", c.DatabaseURL, "PostgreSQL URL (DATABASE_URL)")
		fs.BoolVar(&quick, "quick", false, "a smaller world and short runs (under two minutes)")
		fs.BoolVar(&tiny, "tiny", false, "the smallest world, for tests")
		fs.IntVar(&conns, "conns", 0, "concurrent connections (default 64)")
		fs.DurationVar(&dur, "duration", 0, "how long each case runs")
		fs.StringVar(&jsonPath, "json", "", "also write the results as JSON to this file")
		fs.StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile of the load to this file")
		fs.StringVar(&only, "cases", "", "run only these cases (comma-separated: inbox,disclosure,documents,login)")
	})
	if err != nil {
		return err
	}
	if c.DatabaseURL == "" {
		return usageError{"bench needs PostgreSQL: set DATABASE_URL or --database (it seeds millions of rows; use a database of its own)"}
	}
	// One client address drives every connection: budgets no person
	// reaches would refuse the load. Keep counting (a cost every request
	// pays) but never refuse.
	for _, r := range []*server.Rate{&c.Rates.LoginIP, &c.Rates.LoginUser, &c.Rates.Partner, &c.Rates.User} {
		if r.N > 0 {
			r.N = 1 << 30
		}
	}
	size := bench.Full
	switch {
	case tiny:
		size = bench.Tiny
	case quick:
		size = bench.Quick
	}
	if conns > 0 {
		size.Conns = conns
	}
	if dur > 0 {
		size.Duration = dur
	}
	// Keys live in the data directory when one is given, else in a
	// directory of the database's own, kept for a run that reuses the
	// world: the sealer must find its checkpoints' key again.
	given := getenv("CORDON_DATA_DIR") != ""
	flags.Visit(func(f *flag.Flag) { given = given || f.Name == "data-dir" })
	if !given {
		sum := sha256.Sum256([]byte(c.DatabaseURL))
		c.DataDir = filepath.Join(os.TempDir(), "cordon-bench-"+hex.EncodeToString(sum[:6]))
	}
	if err := os.MkdirAll(c.DataDir, 0o700); err != nil {
		return err
	}
	db, err := openStore(ctx, c)
	if err != nil {
		return err
	}
	defer db.Close()
	poolSize := c.MaxConns
	if poolSize <= 0 {
		poolSize = max(8, 4*runtime.NumCPU()) // as the store sizes its pool
	}
	pool, err := bench.Connect(ctx, c.DatabaseURL, poolSize)
	if err != nil {
		return err
	}
	defer pool.Close()

	cityFile, err := fs.ReadFile(contracts.FS(), contracts.CitiesFile)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Seeding the %s world (%d partners, %d customers, %d jobs, %d documents, %d access events)...\n",
		size.Name, size.Partners, size.Customers, size.Jobs, size.Documents, size.Events)
	t0 := time.Now()
	world, err := bench.Seed(ctx, pool, bench.Stores{
		Orgs: store.NewOrgStore(db), Users: store.NewUserStore(db), Catalog: store.NewCatalogStore(db),
		Contracts: store.NewContractStore(db), Tx: db.WithTx,
	}, size, contract.ParseCities(cityFile), authn.HashPassword, time.Now(), stdout)
	if err != nil {
		return err
	}
	if world.Found {
		fmt.Fprintln(stdout, "  (the world was already there: reused)")
	}
	rep := &bench.Report{Machine: bench.ThisMachine(bench.ServerVersion(ctx, pool)), Size: size.Name, Conns: size.Conns,
		Duration: size.Duration.Seconds(), SeedSeconds: time.Since(t0).Seconds()}

	a, err := newApp(c, db, newLogger(io.Discard, c.LogLevel), time.Now)
	if err != nil {
		return err
	}
	rctx, stopRegistry := context.WithCancel(ctx)
	defer stopRegistry()
	go a.Registry.Run(rctx)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go a.Server.App().Listener(ln)
	defer a.Server.Shutdown(context.Background())
	baseLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	cats := make([]string, len(cordon.Categories))
	for i, x := range cordon.Categories {
		cats[i] = string(x)
	}
	baseSrv := &http.Server{Handler: bench.Baseline(pool, world, cats), ReadHeaderTimeout: 10 * time.Second}
	go baseSrv.Serve(baseLn)
	defer baseSrv.Close()
	api, base := "http://"+ln.Addr().String()+"/api/v1", "http://"+baseLn.Addr().String()
	client := bench.NewClient(size.Conns)

	// Tokens of the first Logins partners; a worker speaks for one of them.
	users := min(size.Logins, len(world.Partners))
	tokens, err := loginAll(ctx, client, api, world.Partners[:users])
	if err != nil {
		return err
	}
	who := func(w int, n uint64) int { return (w*7 + int(n)) % users }
	get := func(url, token string) (*http.Request, error) {
		r, err := http.NewRequest(http.MethodGet, url, nil)
		if err == nil && token != "" {
			r.Header.Set("Authorization", "Bearer "+token)
		}
		return r, err
	}
	login := func(url string, p *bench.Partner) (*http.Request, error) {
		body, _ := json.Marshal(map[string]string{"username": p.Username, "password": bench.Password})
		r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		if err == nil {
			r.Header.Set("Content-Type", "application/json")
		}
		return r, err
	}
	disclose := func(p *bench.Partner, n uint64) int64 { return p.Disclose[int(n/uint64(users))%len(p.Disclose)] }
	cases := []struct {
		name       string
		got, bench bench.Request
	}{
		{"inbox",
			func(w int, n uint64) (*http.Request, error) { return get(api+"/jobs?limit=50", tokens[who(w, n)]) },
			func(w int, n uint64) (*http.Request, error) { return get(base+"/inbox?p="+strconv.Itoa(who(w, n)), "") }},
		{"disclosure",
			func(w int, n uint64) (*http.Request, error) {
				i := who(w, n)
				return get(api+"/jobs/"+strconv.FormatInt(disclose(world.Partners[i], n), 10)+"/customer", tokens[i])
			},
			func(w int, n uint64) (*http.Request, error) {
				i := who(w, n)
				return get(fmt.Sprintf("%s/disclose?p=%d&job=%d", base, i, disclose(world.Partners[i], n)), "")
			}},
		{"documents",
			func(w int, n uint64) (*http.Request, error) { return get(api+"/documents?limit=50", tokens[who(w, n)]) },
			func(w int, n uint64) (*http.Request, error) {
				return get(base+"/documents?p="+strconv.Itoa(who(w, n)), "")
			}},
		{"login",
			func(w int, n uint64) (*http.Request, error) {
				return login(api+"/auth/login", world.Partners[int(n)%len(world.Partners)])
			},
			func(w int, n uint64) (*http.Request, error) {
				return login(base+"/login", world.Partners[int(n)%len(world.Partners)])
			}},
	}
	if only != "" {
		keep := cases[:0]
		for _, k := range cases {
			if slices.Contains(strings.Split(only, ","), k.name) {
				keep = append(keep, k)
			}
		}
		if len(keep) == 0 {
			return usageError{"--cases names none of inbox, disclosure, documents, login"}
		}
		cases = keep
	}
	var prof *os.File
	if cpuProfile != "" {
		if prof, err = os.Create(cpuProfile); err != nil {
			return err
		}
		defer prof.Close()
	}
	got := make([]bench.Result, len(cases))
	fmt.Fprintf(stdout, "Driving %d connections, %s per case (after %s warm-up)...\n", size.Conns, size.Duration, size.Warmup)
	// Each case right before its baseline, so that a machine whose load
	// drifts weighs on both alike. The profile covers both: the baseline's
	// frames are bench.Baseline's.
	rep.LoadBefore = bench.LoadAvg()
	if prof != nil {
		if err := pprof.StartCPUProfile(prof); err != nil {
			return err
		}
	}
	for i, k := range cases {
		got[i] = bench.Drive(ctx, client, size.Conns, size.Warmup, size.Duration, http.StatusOK, k.got)
		b := bench.Drive(ctx, client, size.Conns, size.Warmup, size.Duration, http.StatusOK, k.bench)
		fmt.Fprintf(stdout, "  %-10s %8.0f req/s, baseline %8.0f req/s\n", k.name, got[i].RPS(), b.RPS())
		rep.Cases = append(rep.Cases, bench.NewCase(k.name, got[i], b))
	}
	if prof != nil {
		pprof.StopCPUProfile()
	}
	rep.LoadAfter = bench.LoadAvg()
	if err := ctx.Err(); err != nil {
		return err
	}
	if rep.DecideUncachedUS, rep.DecideCachedUS, err = timeDecisions(ctx, c, db, a, world, size.Decisions); err != nil {
		return err
	}
	if rep.SealPerSecond, err = timeSealing(ctx, a, size.Seal); err != nil {
		return err
	}
	rep.Print(stdout)
	if jsonPath != "" {
		if err := rep.WriteJSON(jsonPath); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Wrote %s\n", jsonPath)
	}
	// Errors are in the table; a case that answered nothing at all fails
	// the run.
	for i, r := range got {
		if r.Errors > 0 {
			fmt.Fprintf(stdout, "%s: %d errors, the first: %s\n", cases[i].name, r.Errors, r.FirstErr)
		}
		if r.Requests == 0 {
			return fmt.Errorf("bench %s: no request answered in %s", cases[i].name, size.Duration)
		}
	}
	return nil
}

// loginAll logs each partner's technician in, two at a time, and returns
// their access tokens.
func loginAll(ctx context.Context, client *http.Client, api string, partners []*bench.Partner) ([]string, error) {
	tokens := make([]string, len(partners))
	errs := make([]error, len(partners))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.NumCPU())
	for i, p := range partners {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			body, _ := json.Marshal(map[string]string{"username": p.Username, "password": bench.Password})
			req, err := http.NewRequestWithContext(ctx, http.MethodPost, api+"/auth/login", bytes.NewReader(body))
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			defer resp.Body.Close()
			var t struct {
				AccessToken string `json:"access_token"`
			}
			if resp.StatusCode != http.StatusOK || json.NewDecoder(resp.Body).Decode(&t) != nil || t.AccessToken == "" {
				errs[i] = fmt.Errorf("log in %s: status %d", p.Username, resp.StatusCode)
				return
			}
			tokens[i] = t.AccessToken
		}()
	}
	wg.Wait()
	return tokens, errors.Join(errs...)
}

// timeDecisions measures one scope decision on the world's grants, as the
// registry compiles them: without the decision cache on varied queries, and
// with it on queries it has seen.
func timeDecisions(ctx context.Context, c *config, db *store.DB, a *app.App, w *bench.World, n int) (uncached, cached float64, err error) {
	plain, err := authz.NewScopeEnforcer(policies.FS, authz.WithDecisionCache(0))
	if err != nil {
		return 0, 0, err
	}
	reg := contract.NewRegistry(contract.RegistryConfig{Contracts: store.NewContractStore(db), Orgs: store.NewOrgStore(db),
		Scope: plain, Events: store.NewEvents(db), Log: newLogger(io.Discard, c.LogLevel)})
	if err := reg.Reload(ctx); err != nil {
		return 0, 0, err
	}
	r := rand.New(rand.NewPCG(1, 2))
	qs := make([]cordon.ScopeQuery, 4096)
	for i := range qs {
		p := w.Partners[r.IntN(len(w.Partners))]
		qs[i] = cordon.ScopeQuery{PartnerID: p.OrgID, Resource: cordon.ResJob, Action: cordon.ActView,
			City: p.Cities[r.IntN(len(p.Cities))], ProductLine: p.Lines[r.IntN(len(p.Lines))],
			Category: cordon.Categories[r.IntN(len(cordon.Categories))]}
	}
	decide := func(s cordon.ScopePolicy, qs []cordon.ScopeQuery) func(int) error {
		return func(i int) error {
			d, err := s.Decide(qs[i%len(qs)])
			if err == nil && !d.Allowed {
				err = fmt.Errorf("bench: decision %+v denied", qs[i%len(qs)])
			}
			return err
		}
	}
	u, err := bench.TimeEach(n, decide(plain, qs))
	if err != nil {
		return 0, 0, err
	}
	hot := qs[:64]
	if _, err := bench.TimeEach(len(hot), decide(a.Scope, hot)); err != nil {
		return 0, 0, err
	}
	cd, err := bench.TimeEach(4*n, decide(a.Scope, hot))
	if err != nil {
		return 0, 0, err
	}
	return float64(u) / 1e3, float64(cd) / 1e3, nil
}

// timeSealing runs the product's sealer over the seeded access log for d
// and returns the events it sealed per second.
func timeSealing(ctx context.Context, a *app.App, d time.Duration) (float64, error) {
	t0 := time.Now()
	sealed := 0
	for time.Since(t0) < d {
		res, err := a.Sealer.SealOnce(ctx)
		if err != nil {
			return 0, fmt.Errorf("seal: %w", err)
		}
		sealed += res.Sealed
		if !res.More {
			break
		}
	}
	return float64(sealed) / time.Since(t0).Seconds(), nil
}
