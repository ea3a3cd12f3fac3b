package certs

import (
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// permChecks is false where Unix permission bits mean nothing: on Windows
// os.Stat reports 0666/0777 for every file, and the profile directory's ACL
// already keeps other users out.
const permChecks = runtime.GOOS != "windows"

// secureDir creates dir (0700) if needed and makes it private if it is not,
// returning the fix as a sentence for CA.Fixed.
func secureDir(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create CA directory: %w (set GLASSBOX_HOME to a directory you can write)", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("check CA directory: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("CA directory %s is not a directory: remove it, or set GLASSBOX_HOME to another place", dir)
	}
	if !permChecks {
		return nil, nil
	}
	mode := info.Mode()
	if mode&fs.ModeSticky != 0 {
		// A sticky directory (like /tmp) is shared on purpose; making it
		// private would break the system, and keeping the key in it is unsafe.
		return nil, fmt.Errorf("CA directory %s is a shared directory (sticky bit set): set GLASSBOX_HOME to a private directory instead", dir)
	}
	if mode.Perm()&0o077 == 0 {
		return nil, nil
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("make CA directory private: %w (run `chmod 700 %s` yourself)", err, dir)
	}
	return []string{fmt.Sprintf("Made %s accessible only to you (it was mode %04o).", dir, mode.Perm())}, nil
}

// exists reports whether path is present; anything there that is not a
// regular file is an error, because it cannot be our certificate or key.
func exists(path string) (bool, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check CA file: %w", err)
	}
	if !info.Mode().IsRegular() {
		return false, unusable("%s is not a regular file; move it away, or %s", path, regenerateAdvice)
	}
	return true, nil
}

// present reports which of the two CA files exist in dir.
func present(dir string) (certOK, keyOK bool, err error) {
	if certOK, err = exists(filepath.Join(dir, CertFile)); err != nil {
		return false, false, err
	}
	if keyOK, err = exists(filepath.Join(dir, KeyFile)); err != nil {
		return false, false, err
	}
	return certOK, keyOK, nil
}

const (
	// pairWait bounds how long we wait for another process that is
	// installing the second file of a new CA; it does so microseconds after
	// the first.
	pairWait = 2 * time.Second
	// pairPoll is how often we look while waiting.
	pairPoll = 10 * time.Millisecond
	// staleTemp is the age after which a temporary file is a crash
	// leftover rather than a write in progress.
	staleTemp = time.Minute
)

// waitForPair returns nil once both CA files exist. A lone file is waited
// for only while a temporary file shows that another process is writing the
// missing one; otherwise the CA is incomplete and the error says what to do.
func waitForPair(dir string) error {
	certPath, keyPath := filepath.Join(dir, CertFile), filepath.Join(dir, KeyFile)
	deadline := time.Now().Add(pairWait)
	for {
		certOK, keyOK, err := present(dir)
		switch {
		case err != nil:
			return err
		case certOK && keyOK:
			return nil
		case !certOK && !keyOK:
			return fmt.Errorf("create CA: another glassbox process started creating the CA in %s and gave up; run glassbox again", dir)
		}
		missing := CertFile
		if certOK {
			missing = KeyFile
		}
		if !writing(dir, missing) || time.Now().After(deadline) {
			if certOK {
				return unusable("found %s but not the private key %s; restore the key from a backup, or %s", certPath, keyPath, regenerateAdvice)
			}
			return unusable("found the private key %s but not the certificate %s; restore the certificate from a backup, or %s", keyPath, certPath, regenerateAdvice)
		}
		time.Sleep(pairPoll)
	}
}

// isTemp reports whether name is one of writeTemp's files for base.
func isTemp(name, base string) bool {
	return strings.HasPrefix(name, "."+base+".") && strings.HasSuffix(name, ".tmp")
}

// writing reports whether a temporary file for base exists in dir.
func writing(dir, base string) bool {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if isTemp(e.Name(), base) {
			return true
		}
	}
	return false
}

// removeStaleTemps deletes temporary files a crash left behind; one of them
// may hold a copy of a private key. Recent ones may belong to a write in
// progress and are kept. Errors are ignored: this is housekeeping.
func removeStaleTemps(dir string, now time.Time) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !isTemp(e.Name(), CertFile) && !isTemp(e.Name(), KeyFile) {
			continue
		}
		if info, err := e.Info(); err == nil && now.Sub(info.ModTime()) > staleTemp {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// load reads and checks the CA in dir. fixed carries repairs already made
// to the directory.
func load(dir string, fixed []string) (*CA, error) {
	ca := &CA{
		CertPath: filepath.Join(dir, CertFile),
		KeyPath:  filepath.Join(dir, KeyFile),
		Fixed:    fixed,
	}
	if err := ca.secureKey(); err != nil {
		return nil, err
	}
	cert, err := readCert(ca.CertPath)
	if err != nil {
		return nil, err
	}
	key, err := readKey(ca.KeyPath)
	if err != nil {
		return nil, err
	}
	pub, ok := cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(key.Public()) {
		return nil, unusable("the private key %s does not belong to the certificate %s (one of them was replaced); put back the matching file, or %s", ca.KeyPath, ca.CertPath, regenerateAdvice)
	}
	now := time.Now()
	if now.After(cert.NotAfter) {
		return nil, unusable("the certificate %s expired on %s; %s", ca.CertPath, cert.NotAfter.Format(time.DateOnly), regenerateAdvice)
	}
	if now.Before(cert.NotBefore) {
		return nil, unusable("the certificate %s is not valid until %s; check this machine's clock, or %s", ca.CertPath, cert.NotBefore.Format(time.DateTime), regenerateAdvice)
	}
	ca.Cert, ca.Key = cert, key
	return ca, nil
}

// secureKey makes the key file readable only by its owner, recording the fix.
func (ca *CA) secureKey() error {
	if !permChecks {
		return nil
	}
	info, err := os.Stat(ca.KeyPath)
	if err != nil {
		return fmt.Errorf("check CA key: %w", err)
	}
	perm := info.Mode().Perm()
	if perm&0o077 == 0 {
		return nil
	}
	if err := os.Chmod(ca.KeyPath, 0o600); err != nil {
		return fmt.Errorf("make CA key private: %w (run `chmod 600 %s` yourself)", err, ca.KeyPath)
	}
	ca.Fixed = append(ca.Fixed, fmt.Sprintf(
		"Made %s readable only by you (it was mode %04o). Anyone who can read this key can impersonate any website to browsers that trust this CA; if other people use this machine, run `glassbox ca --regenerate`.",
		ca.KeyPath, perm))
	return nil
}

func readCert(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA certificate: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, unusable("%s does not hold a PEM certificate (the file is corrupt or was replaced); restore it from a backup, or %s", path, regenerateAdvice)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, &adviceError{msg: fmt.Sprintf("%s holds a certificate that cannot be parsed (the file is corrupt); restore it from a backup, or %s", path, regenerateAdvice), err: err}
	}
	if !cert.IsCA {
		return nil, unusable("%s is not a CA certificate (it cannot sign other certificates); %s", path, regenerateAdvice)
	}
	return cert, nil
}

// readKey accepts PKCS#8 (what we write) and SEC 1 "EC PRIVATE KEY" (what
// `openssl ecparam -genkey` writes), so a user can bring their own key.
func readKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read CA key: %w", err)
	}
	corrupt := func(err error) error {
		return &adviceError{msg: fmt.Sprintf("%s does not hold a usable private key (the file is corrupt or was replaced); restore it from a backup, or %s", path, regenerateAdvice), err: err}
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, corrupt(nil)
	}
	var key any
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	default:
		err = fmt.Errorf("unexpected PEM block %q", block.Type)
	}
	if err != nil {
		return nil, corrupt(err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, corrupt(fmt.Errorf("key type %T cannot sign", key))
	}
	return signer, nil
}

// create generates a CA and writes it to dir without replacing anything: if
// either file appears meanwhile (another glassbox starting), it returns an
// error matching os.ErrExist and leaves that file alone.
func create(dir string) (*CA, error) {
	// Both files are complete and synced under temporary names before either
	// gets its real name, so a crash leaves whole files or none.
	ca, keyTmp, certTmp, err := generateTemps(dir)
	if err != nil {
		return nil, err
	}
	defer os.Remove(keyTmp)
	defer os.Remove(certTmp)

	if err := linkNoReplace(keyTmp, ca.KeyPath); err != nil {
		return nil, fmt.Errorf("create CA: install %s: %w", ca.KeyPath, err)
	}
	if err := linkNoReplace(certTmp, ca.CertPath); err != nil {
		// The key is ours and has no certificate; take it back so the next
		// run does not find half a CA.
		os.Remove(ca.KeyPath)
		return nil, fmt.Errorf("create CA: install %s: %w", ca.CertPath, err)
	}
	syncDir(dir)
	return ca, nil
}

// generateTemps makes a new CA for dir and writes its key and certificate
// to synced temporary files beside their final names; the caller removes
// them (after giving them their names, removing them is a no-op).
func generateTemps(dir string) (ca *CA, keyTmp, certTmp string, err error) {
	ca, keyPEM, err := generate(dir, time.Now())
	if err != nil {
		return nil, "", "", err
	}
	if keyTmp, err = writeTemp(dir, KeyFile, keyPEM, 0o600); err != nil {
		return nil, "", "", err
	}
	if certTmp, err = writeTemp(dir, CertFile, ca.PEM(), 0o644); err != nil {
		os.Remove(keyTmp)
		return nil, "", "", err
	}
	return ca, keyTmp, certTmp, nil
}

// writeTemp writes data to a synced temporary file next to name in dir and
// returns its path.
func writeTemp(dir, name string, data []byte, perm fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	tmp := f.Name()
	err = f.Chmod(perm)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("write %s: %w", name, err)
	}
	return tmp, nil
}

// linkNoReplace gives tmp the name final unless final exists. A hard link
// fails atomically when the target exists, which rename does not; where
// links are unsupported it falls back to check-then-rename.
func linkNoReplace(tmp, final string) error {
	err := os.Link(tmp, final)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return err
	}
	if _, serr := os.Lstat(final); serr == nil {
		return &fs.PathError{Op: "create", Path: final, Err: fs.ErrExist}
	}
	return os.Rename(tmp, final)
}

// backup renames path to path.old (replacing an older backup) with perm.
// A missing path is not an error.
func backup(path string, perm fs.FileMode) error {
	old := path + ".old"
	if err := os.Rename(path, old); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("keep old CA file: %w", err)
	}
	if err := os.Chmod(old, perm); err != nil {
		return fmt.Errorf("keep old CA file: %w", err)
	}
	return nil
}

// syncDir makes renames in dir durable. Errors are ignored: some systems
// (Windows) cannot sync a directory, and the files themselves are synced.
func syncDir(dir string) {
	f, err := os.Open(dir)
	if err != nil {
		return
	}
	f.Sync()
	f.Close()
}
