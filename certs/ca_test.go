package certs_test

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/glassbox-dev/glassbox/certs"
)

func TestDefaultDir(t *testing.T) {
	t.Run("glassbox-home-wins", func(t *testing.T) {
		t.Setenv("GLASSBOX_HOME", "/somewhere/else")
		got, err := certs.DefaultDir()
		if err != nil || got != "/somewhere/else" {
			t.Fatalf("DefaultDir() = %q, %v; want /somewhere/else", got, err)
		}
	})
	t.Run("config-dir-otherwise", func(t *testing.T) {
		t.Setenv("GLASSBOX_HOME", "")
		t.Setenv("XDG_CONFIG_HOME", "/cfg") // used on Linux and BSDs
		want, err := os.UserConfigDir()
		if err != nil {
			t.Skipf("no user config dir here: %v", err)
		}
		got, err := certs.DefaultDir()
		if err != nil || got != filepath.Join(want, "glassbox") {
			t.Fatalf("DefaultDir() = %q, %v; want %q", got, err, filepath.Join(want, "glassbox"))
		}
	})
}

func TestLoadOrCreateCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "glassbox") // parents do not exist yet
	before := time.Now()
	ca, err := certs.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Created || len(ca.Fixed) != 0 {
		t.Errorf("Created = %v, Fixed = %q; want true and none", ca.Created, ca.Fixed)
	}
	if ca.CertPath != filepath.Join(dir, "ca.pem") || ca.KeyPath != filepath.Join(dir, "ca-key.pem") {
		t.Errorf("paths = %q, %q", ca.CertPath, ca.KeyPath)
	}
	if runtime.GOOS != "windows" {
		for path, want := range map[string]os.FileMode{dir: 0o700, ca.KeyPath: 0o600, ca.CertPath: 0o644} {
			if got := perm(t, path); got != want {
				t.Errorf("mode of %s = %04o, want %04o", path, got, want)
			}
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("dir holds %d entries, want only the two CA files (temporary files left behind?)", len(entries))
	}

	block, _ := pem.Decode(readFile(t, ca.CertPath))
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("ca.pem does not parse: %v", err)
	}
	if !cert.IsCA || !cert.BasicConstraintsValid || cert.MaxPathLen != 0 || !cert.MaxPathLenZero {
		t.Errorf("basic constraints: IsCA=%v valid=%v maxPathLen=%d zero=%v", cert.IsCA, cert.BasicConstraintsValid, cert.MaxPathLen, cert.MaxPathLenZero)
	}
	if want := x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature; cert.KeyUsage != want {
		t.Errorf("KeyUsage = %b, want %b", cert.KeyUsage, want)
	}
	pub, ok := cert.PublicKey.(*ecdsa.PublicKey)
	if !ok || pub.Curve != elliptic.P256() {
		t.Errorf("public key %T, want ECDSA P-256", cert.PublicKey)
	}
	if err := cert.CheckSignatureFrom(cert); err != nil {
		t.Errorf("not self-signed: %v", err)
	}
	if len(cert.SubjectKeyId) == 0 {
		t.Error("no SubjectKeyId")
	}
	if cert.SerialNumber.BitLen() < 64 {
		t.Errorf("serial %v has %d bits; want a random 128-bit one", cert.SerialNumber, cert.SerialNumber.BitLen())
	}
	host, _ := os.Hostname()
	if cn := cert.Subject.CommonName; !strings.HasPrefix(cn, "glassbox CA (") || !strings.Contains(cn, host) || !strings.Contains(cn, before.Format("2006-01-02")) {
		t.Errorf("CommonName = %q; want host %q and today's date", cn, host)
	}
	if o := cert.Subject.Organization; len(o) != 1 || o[0] != "glassbox (local interception CA)" {
		t.Errorf("Organization = %q", o)
	}
	if !cert.NotBefore.Before(before.Add(-50*time.Minute)) || cert.NotAfter.Before(before.AddDate(9, 11, 0)) {
		t.Errorf("validity %v .. %v; want backdated an hour and about 10 years", cert.NotBefore, cert.NotAfter)
	}
}

func TestLoadOrCreateLoadsSameCA(t *testing.T) {
	dir := t.TempDir()
	first, err := certs.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	firstPEM := readFile(t, first.CertPath)
	second, err := certs.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if second.Created {
		t.Error("Created = true on the second load")
	}
	if !bytes.Equal(second.Cert.Raw, first.Cert.Raw) || !bytes.Equal(readFile(t, second.CertPath), firstPEM) {
		t.Error("second load returned a different certificate")
	}
	if !second.Key.Public().(*ecdsa.PublicKey).Equal(first.Key.Public()) {
		t.Error("second load returned a different key")
	}
}

func TestLoadOrCreateConcurrentFirstRun(t *testing.T) {
	dir := t.TempDir()
	const n = 8
	cas := make([]*certs.CA, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { cas[i], errs[i] = certs.LoadOrCreate(dir) })
	}
	wg.Wait()
	created := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
		if !bytes.Equal(cas[i].Cert.Raw, cas[0].Cert.Raw) {
			t.Errorf("caller %d got a different CA", i)
		}
		if cas[i].Created {
			created++
		}
	}
	if created != 1 {
		t.Errorf("%d callers report creating the CA, want 1", created)
	}
	if got := readFile(t, filepath.Join(dir, "ca.pem")); !bytes.Equal(got, cas[0].PEM()) {
		t.Error("the CA on disk is not the one every caller got")
	}
}

func TestLoadOrCreateFixesPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no Unix permission bits on Windows")
	}
	dir := t.TempDir()
	ca := mustCAIn(t, dir)
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(ca.KeyPath, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := certs.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := perm(t, dir); got != 0o700 {
		t.Errorf("dir mode = %04o, want 0700", got)
	}
	if got := perm(t, ca.KeyPath); got != 0o600 {
		t.Errorf("key mode = %04o, want 0600", got)
	}
	if len(again.Fixed) != 2 || !strings.Contains(again.Fixed[0], dir) || !strings.Contains(again.Fixed[1], ca.KeyPath) {
		t.Errorf("Fixed = %q; want one sentence for the dir and one for the key", again.Fixed)
	}
	if clean, _ := certs.LoadOrCreate(dir); len(clean.Fixed) != 0 {
		t.Errorf("third load still fixes %q", clean.Fixed)
	}
}

func TestLoadOrCreateRefusesSharedDir(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no sticky bit on Windows")
	}
	dir := t.TempDir()
	if err := os.Chmod(dir, os.ModeSticky|0o777); err != nil {
		t.Fatal(err)
	}
	_, err := certs.LoadOrCreate(dir)
	if err == nil || !strings.Contains(err.Error(), "GLASSBOX_HOME") {
		t.Fatalf("err = %v; want advice to set GLASSBOX_HOME", err)
	}
	if got := perm(t, dir); got != 0o777 {
		t.Errorf("shared dir mode changed to %04o", got)
	}
}

func TestLoadOrCreateRefusesBrokenFiles(t *testing.T) {
	other := mustCA(t)
	_, expiredCert, expiredKey := handMadeCA(t, time.Now().AddDate(-2, 0, 0), time.Now().AddDate(-1, 0, 0))
	tests := []struct {
		name   string
		damage func(t *testing.T, ca *certs.CA)
		file   string // base name the error must mention
		says   string // more advice the error must contain
	}{
		{"corrupt-key", func(t *testing.T, ca *certs.CA) { writeFile(t, ca.KeyPath, []byte("not a key"), 0o600) }, "ca-key.pem", "corrupt"},
		{"truncated-key", func(t *testing.T, ca *certs.CA) {
			k := readFile(t, ca.KeyPath)
			writeFile(t, ca.KeyPath, k[:len(k)/2], 0o600)
		}, "ca-key.pem", "--regenerate"},
		{"corrupt-cert", func(t *testing.T, ca *certs.CA) { writeFile(t, ca.CertPath, []byte("garbage"), 0o644) }, "ca.pem", "corrupt"},
		{"mismatched-pair", func(t *testing.T, ca *certs.CA) { writeFile(t, ca.KeyPath, readFile(t, other.KeyPath), 0o600) }, "ca-key.pem", "does not belong"},
		{"missing-cert", func(t *testing.T, ca *certs.CA) { os.Remove(ca.CertPath) }, "ca.pem", "backup"},
		{"missing-key", func(t *testing.T, ca *certs.CA) { os.Remove(ca.KeyPath) }, "ca-key.pem", "backup"},
		{"expired", func(t *testing.T, ca *certs.CA) {
			writeFile(t, ca.CertPath, expiredCert, 0o644)
			writeFile(t, ca.KeyPath, expiredKey, 0o600)
		}, "ca.pem", "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			ca := mustCAIn(t, dir)
			tt.damage(t, ca)
			before := snapshot(t, dir)

			_, err := certs.LoadOrCreate(dir)
			if err == nil {
				t.Fatal("LoadOrCreate accepted broken CA files")
			}
			msg := err.Error()
			if !strings.Contains(msg, filepath.Join(dir, tt.file)) || !strings.Contains(msg, tt.says) || !strings.Contains(msg, "glassbox ca --regenerate") {
				t.Errorf("error %q; want it to name %s, say %q and suggest --regenerate", msg, tt.file, tt.says)
			}
			if !errors.Is(err, certs.ErrUnusable) {
				t.Errorf("error does not match ErrUnusable: %v", err)
			}
			if after := snapshot(t, dir); !maps.Equal(before, after) {
				t.Errorf("files changed: before %v, after %v", slices.Sorted(maps.Keys(before)), slices.Sorted(maps.Keys(after)))
			}
		})
	}
}

func TestLoadOrCreateAcceptsSEC1Key(t *testing.T) {
	dir := t.TempDir()
	ca := mustCAIn(t, dir)
	der, err := x509.MarshalECPrivateKey(ca.Key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, ca.KeyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der}), 0o600)
	if _, err := certs.LoadOrCreate(dir); err != nil {
		t.Fatalf("SEC 1 key refused: %v", err)
	}
}

func TestRegenerate(t *testing.T) {
	dir := t.TempDir()
	old := mustCAIn(t, dir)
	oldCert, oldKey := readFile(t, old.CertPath), readFile(t, old.KeyPath)

	ca, err := certs.Regenerate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ca.Created {
		t.Error("Created = false after Regenerate")
	}
	if ca.Cert.SerialNumber.Cmp(old.Cert.SerialNumber) == 0 || bytes.Equal(ca.Cert.Raw, old.Cert.Raw) {
		t.Error("Regenerate kept the old certificate")
	}
	if !bytes.Equal(readFile(t, old.CertPath+".old"), oldCert) || !bytes.Equal(readFile(t, old.KeyPath+".old"), oldKey) {
		t.Error("old files not kept as .old")
	}
	if runtime.GOOS != "windows" {
		if got := perm(t, old.KeyPath+".old"); got != 0o600 {
			t.Errorf("old key mode = %04o, want 0600", got)
		}
		if got := perm(t, ca.KeyPath); got != 0o600 {
			t.Errorf("new key mode = %04o, want 0600", got)
		}
	}
	loaded, err := certs.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Created || !bytes.Equal(loaded.Cert.Raw, ca.Cert.Raw) {
		t.Error("the next load does not return the regenerated CA")
	}
}

func TestRegenerateRepairsBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	ca := mustCAIn(t, dir)
	writeFile(t, ca.KeyPath, []byte("junk"), 0o600)
	if _, err := certs.Regenerate(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := certs.LoadOrCreate(dir); err != nil {
		t.Fatalf("load after regenerate: %v", err)
	}
}

func TestCAEncodings(t *testing.T) {
	ca := mustCA(t)
	block, rest := pem.Decode(ca.PEM())
	if block == nil || block.Type != "CERTIFICATE" || len(rest) != 0 || !bytes.Equal(block.Bytes, ca.DER()) {
		t.Error("PEM() is not one CERTIFICATE block holding DER()")
	}
	if !bytes.Equal(ca.DER(), ca.Cert.Raw) {
		t.Error("DER() differs from Cert.Raw")
	}
	spki := sha256.Sum256(ca.Cert.RawSubjectPublicKeyInfo)
	if got := ca.SPKIHash(); got != base64.StdEncoding.EncodeToString(spki[:]) {
		t.Errorf("SPKIHash() = %q", got)
	}
	fp := ca.Fingerprint()
	sum := sha256.Sum256(ca.DER())
	if len(fp) != 32*3-1 || strings.ReplaceAll(fp, ":", "") != strings.ToUpper(hex.EncodeToString(sum[:])) {
		t.Errorf("Fingerprint() = %q", fp)
	}
	tc := ca.TLSCertificate()
	if len(tc.Certificate) != 1 || !bytes.Equal(tc.Certificate[0], ca.DER()) || tc.Leaf != ca.Cert || tc.PrivateKey != ca.Key {
		t.Error("TLSCertificate() does not hold the CA")
	}
}

func mustCAIn(t *testing.T, dir string) *certs.CA {
	t.Helper()
	ca, err := certs.LoadOrCreate(dir)
	if err != nil {
		t.Fatal(err)
	}
	return ca
}

// snapshot maps each file name in dir to its contents and mode.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	m := make(map[string]string)
	for _, e := range entries {
		info, _ := e.Info()
		m[e.Name()] = info.Mode().String() + "\n" + string(readFile(t, filepath.Join(dir, e.Name())))
	}
	return m
}
