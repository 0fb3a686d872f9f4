package keyfile

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestEd25519(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "k.pem")
	first, err := Ed25519(path, "test key")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v, want 0600", fi.Mode().Perm(), err)
	}
	second, err := Ed25519(path, "test key")
	if err != nil || !first.Equal(second) {
		t.Fatalf("second load: %v, same key %v", err, first.Equal(second))
	}
	os.WriteFile(filepath.Join(dir, "bad.pem"), []byte("not a key"), 0o600)
	if _, err := Ed25519(filepath.Join(dir, "bad.pem"), "test key"); err == nil {
		t.Error("a garbage file was taken for a key")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("left behind: %v", entries)
	}
}

func TestSecretConcurrentFirstStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.key")
	const n = 8
	keys := make([][]byte, n)
	var wg sync.WaitGroup
	for i := range keys {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			k, err := Secret(path, "secret")
			if err != nil {
				t.Error(err)
			}
			keys[i] = k
		}(i)
	}
	wg.Wait()
	for _, k := range keys[1:] {
		if !bytes.Equal(k, keys[0]) || len(k) != 32 {
			t.Fatalf("processes starting at once got different secrets")
		}
	}
}
