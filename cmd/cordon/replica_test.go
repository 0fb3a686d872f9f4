package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, to look at the replicas' locks

	"github.com/cordon/cordon/internal/store/storetest"
)

// The tests in this file run the real binary: two `cordon serve` processes
// on one PostgreSQL schema, as a deployment behind a load balancer would.
// They need PostgreSQL (CI always has it) and a Go toolchain to build the
// binary, which `go test` implies.

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// cordonBinary builds the binary once per test run, without the race
// detector: the processes are the system under test, not the test.
func cordonBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cordon-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "cordon")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// replica is one running `cordon serve` process.
type replica struct {
	name string
	cmd  *exec.Cmd
	base string // http://127.0.0.1:port
	logs *lockedWriter
	done chan struct{}
}

// deployment is N replicas of the binary on one PostgreSQL schema and one
// shared data directory (the signing keys), seeded with the demo world.
type deployment struct {
	t       *testing.T
	bin     string
	dbURL   string // the schema's URL, without an application name
	dataDir string
	schema  string
}

func newDeployment(t *testing.T) *deployment {
	t.Helper()
	d := &deployment{t: t, bin: cordonBinary(t), dbURL: storetest.PostgresURL(t), dataDir: t.TempDir()}
	u, err := url.Parse(d.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	d.schema = u.Query().Get("search_path")
	out, err := d.command(context.Background(), "", "seed", "--demo").CombinedOutput()
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	return d
}

// urlFor is the database URL a replica uses: the schema's, with the
// replica's name as PostgreSQL application_name, so pg_stat_activity shows
// which replica holds which lock.
func (d *deployment) urlFor(name string) string {
	if name == "" {
		return d.dbURL
	}
	u, _ := url.Parse(d.dbURL)
	q := u.Query()
	q.Set("application_name", d.schema+"-"+name)
	u.RawQuery = q.Encode()
	return u.String()
}

func (d *deployment) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, d.bin, args...)
	cmd.Env = append(os.Environ(),
		"DATABASE_URL="+d.urlFor(name),
		"CORDON_DATA_DIR="+d.dataDir,
		"CORDON_DEMO=off",
		"CORDON_DEMO_PASSWORD="+demoPassword,
		"CORDON_ADDR=127.0.0.1:0",
		"CORDON_LOG_LEVEL=info",
		// The crash test's load is one user's thousands of reads a
		// minute, past the per-user budget a real user never reaches.
		"CORDON_RATE_USER=off",
		"CORDON_RATE_PARTNER=off",
	)
	return cmd
}

// start runs a replica and waits until it listens.
func (d *deployment) start(name string) *replica {
	d.t.Helper()
	cmd := d.command(context.Background(), name, "serve")
	pr, pw := io.Pipe()
	cmd.Stdout = pw
	logs := &lockedWriter{W: &bytes.Buffer{}}
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		d.t.Fatalf("start %s: %v", name, err)
	}
	r := &replica{name: name, cmd: cmd, logs: logs, done: make(chan struct{})}
	go func() {
		cmd.Wait()
		pw.Close()
		close(r.done)
	}()
	d.t.Cleanup(func() { r.kill() })
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if m := regexp.MustCompile(`listening on (http://\S+)`).FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case r.base = <-found:
	case <-r.done:
		d.t.Fatalf("%s exited before listening: %s", name, logs.W.(*bytes.Buffer).String())
	case <-time.After(60 * time.Second):
		d.t.Fatalf("%s did not listen within 60 s", name)
	}
	return r
}

// kill ends the process with SIGKILL, as a crash would, and waits for it.
func (r *replica) kill() {
	if r.cmd.Process != nil {
		r.cmd.Process.Signal(syscall.SIGKILL)
	}
	<-r.done
}

// client is a plain HTTP client with a short timeout, as a load balancer's.
var replicaClient = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}

// call sends a JSON request to a replica; the status is 0 when the
// connection failed.
func (r *replica) call(method, path, token, requestID string, body any) (int, []byte) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, r.base+path, rd)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if requestID != "" {
		req.Header.Set("X-Request-ID", requestID)
	}
	res, err := replicaClient.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, b
}

func (r *replica) login(t *testing.T, username string) string {
	t.Helper()
	st, b := r.call("POST", "/api/v1/auth/login", "", "", map[string]string{"username": username, "password": demoPassword})
	if st != 200 {
		t.Fatalf("login %s on %s: %d %s", username, r.name, st, b)
	}
	var m map[string]any
	json.Unmarshal(b, &m)
	return m["access_token"].(string)
}

// listIDs returns the ids of a list endpoint's items.
func (r *replica) listIDs(t *testing.T, path, token string) []int64 {
	t.Helper()
	st, b := r.call("GET", path, token, "", nil)
	if st != 200 {
		t.Fatalf("GET %s on %s: %d %s", path, r.name, st, b)
	}
	var m struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	ids := make([]int64, 0, len(m.Items))
	for _, it := range m.Items {
		ids = append(ids, it.ID)
	}
	return ids
}

// leaders returns, per advisory-lock class held in this deployment's
// schema, the replicas holding it: background tasks (the sealer, the SLA
// sweeper) each have a class of their own.
func (d *deployment) leaders(t *testing.T) map[int64][]string {
	t.Helper()
	db, err := sql.Open("pgx", d.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`
		SELECT l.classid::bigint, a.application_name
		FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE $1`, d.schema+"-%")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var class int64
		var app string
		if err := rows.Scan(&class, &app); err != nil {
			t.Fatal(err)
		}
		out[class] = append(out[class], strings.TrimPrefix(app, d.schema+"-"))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// waitLeaders polls until every lock class has exactly one holder and there
// are at least want classes, and returns them.
func (d *deployment) waitLeaders(t *testing.T, want int, within time.Duration) map[int64]string {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got := d.leaders(t)
		ok := len(got) >= want
		one := map[int64]string{}
		for class, holders := range got {
			if len(holders) != 1 {
				t.Fatalf("lock class %d held by %v: more than one leader", class, holders)
			}
			one[class] = holders[0]
		}
		if ok {
			return one
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %v: leaders %v, want %d tasks led", within, got, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// backgroundTasks is how many leader-elected tasks a replica runs: the
// sealer and the SLA sweeper.
const backgroundTasks = 2

// TestReplicasShareOneDatabase runs two replicas on one PostgreSQL: a
// contract change on one reaches the other within 1 s, and each background
// task has exactly one leader.
func TestReplicasShareOneDatabase(t *testing.T) {
	d := newDeployment(t)
	a, b := d.start("a"), d.start("b")

	leaders := d.waitLeaders(t, backgroundTasks, 10*time.Second)
	t.Logf("leaders: %v", leaders)

	// A token issued by one replica works on the other.
	admin := a.login(t, "contracts")
	tech := a.login(t, "wuhan.tech")
	before := b.listIDs(t, "/api/v1/jobs?limit=100", tech)
	if len(before) == 0 {
		t.Fatal("wuhan.tech sees no jobs on replica b")
	}
	contracts := a.listIDs(t, "/api/v1/contracts?limit=100", admin)
	var wuhanContract int64
	for _, id := range contracts {
		st, body := a.call("GET", fmt.Sprintf("/api/v1/contracts/%d", id), admin, "", nil)
		if st == 200 && bytes.Contains(body, []byte(`"status":"active"`)) && bytes.Contains(body, []byte("WH-")) {
			wuhanContract = id
		}
	}
	if wuhanContract == 0 {
		t.Fatalf("no active wuhan contract among %v", contracts)
	}
	if st, body := a.call("POST", fmt.Sprintf("/api/v1/contracts/%d/suspend", wuhanContract), admin, "", nil); st != 200 {
		t.Fatalf("suspend on a: %d %s", st, body)
	}
	start := time.Now()
	for {
		st, body := b.call("GET", fmt.Sprintf("/api/v1/jobs/%d", before[0]), tech, "", nil)
		if st == 404 {
			t.Logf("the suspension reached replica b after %v", time.Since(start).Round(time.Millisecond))
			break
		}
		if st != 200 {
			t.Fatalf("job view on b: %d %s", st, body)
		}
		if time.Since(start) > time.Second {
			t.Fatalf("replica b still serves wuhan's job %d %v after the suspension on a", before[0], time.Since(start))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestReplicaCrash kills the sealer's leader with SIGKILL while both
// replicas serve sensitive reads: every read a client got a 200 for has its
// committed access event, the other replica takes the lead within 5 s, and
// the sealed log verifies.
func TestReplicaCrash(t *testing.T) {
	d := newDeployment(t)
	reps := map[string]*replica{"a": d.start("a"), "b": d.start("b")}
	tasks := backgroundTasks
	leaders := d.waitLeaders(t, tasks, 10*time.Second)
	const sealerClass = 0x43524441 // store.sealerLockClass
	victim := reps[leaders[sealerClass]]
	if victim == nil {
		t.Fatalf("no replica leads the sealer: %v", leaders)
	}
	survivor := reps["a"]
	if victim == survivor {
		survivor = reps["b"]
	}

	token := survivor.login(t, "hefei.tech")
	jobs := survivor.listIDs(t, "/api/v1/jobs?limit=100", token)
	if len(jobs) == 0 {
		t.Fatal("hefei.tech sees no jobs")
	}

	// Load: workers read job pages (each an access event) on both replicas,
	// with a request id of their own, and keep the ids of every 200.
	var (
		mu      sync.Mutex
		served  []string
		failed  atomic.Int64
		counter atomic.Int64
	)
	ctx, stop := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := 0; w < 8; w++ {
		rep := victim
		if w%2 == 1 {
			rep = survivor
		}
		wg.Add(1)
		go func(w int, rep *replica) {
			defer wg.Done()
			for ctx.Err() == nil {
				id := fmt.Sprintf("crash-%s-%d", d.schema, counter.Add(1))
				st, _ := rep.call("GET", fmt.Sprintf("/api/v1/jobs/%d", jobs[int(counter.Load())%len(jobs)]), token, id, nil)
				switch {
				case st == 200:
					mu.Lock()
					served = append(served, id)
					mu.Unlock()
				case st == 0 && rep == victim:
					failed.Add(1)
					time.Sleep(5 * time.Millisecond) // the process is gone
				default:
					if st != 0 {
						t.Errorf("job view on %s: status %d", rep.name, st)
						return
					}
				}
			}
		}(w, rep)
	}
	time.Sleep(1500 * time.Millisecond)
	killed := time.Now()
	victim.kill()
	t.Logf("killed replica %s (the sealer's leader) with SIGKILL", victim.name)

	// The survivor takes over every task within 5 s.
	for {
		got := d.leaders(t)
		all := len(got) >= tasks
		for _, holders := range got {
			if len(holders) != 1 || holders[0] != survivor.name {
				all = false
			}
		}
		if all {
			t.Logf("replica %s leads %d tasks %v after the kill", survivor.name, tasks, time.Since(killed).Round(time.Millisecond))
			break
		}
		if time.Since(killed) > 5*time.Second {
			t.Fatalf("5 s after the kill the leaders are %v, want all on %s", got, survivor.name)
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond) // load on the survivor alone
	stop()
	wg.Wait()
	if len(served) < 50 {
		t.Fatalf("only %d reads served: the load did not run", len(served))
	}

	// Every 200 has its committed access event.
	db, err := sql.Open("pgx", d.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT DISTINCT request_id FROM access_events WHERE request_id LIKE $1`, "crash-"+d.schema+"-%")
	if err != nil {
		t.Fatal(err)
	}
	logged := map[string]bool{}
	for rows.Next() {
		var id string
		rows.Scan(&id)
		logged[id] = true
	}
	rows.Close()
	var missing []string
	for _, id := range served {
		if !logged[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("%d of %d reads served with a 200 have no access event, e.g. %v", len(missing), len(served), missing[:min(5, len(missing))])
	}
	t.Logf("%d reads served, each with its access event; %d requests failed with the killed replica", len(served), failed.Load())

	// The survivor seals everything, and the sealed log verifies.
	deadline := time.Now().Add(75 * time.Second) // past the sealer's gap timeout (30 s) for inserts the kill cut short
	for {
		var unsealed int
		err := db.QueryRow(`SELECT count(*) FROM access_events e WHERE NOT EXISTS (SELECT 1 FROM audit_leaves l WHERE l.event_id = e.id)`).Scan(&unsealed)
		if err != nil {
			t.Fatal(err)
		}
		if unsealed == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events still unsealed 75 s after the kill", unsealed)
		}
		time.Sleep(200 * time.Millisecond)
	}
	out, err := d.command(context.Background(), "", "audit", "verify").CombinedOutput()
	if err != nil {
		t.Fatalf("audit verify after the crash: %v\n%s", err, out)
	}
	t.Logf("audit verify: %s", strings.TrimSpace(string(out)))
}
