package main

import (
	"context"
	"fmt"
	"io"

	"github.com/glassbox-dev/glassbox/certs"
)

func runCA(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("ca", "ca [--path | --pem | --regenerate]", stderr)
	path := fs.Bool("path", false, "print the path of the CA certificate file (PEM)")
	pem := fs.Bool("pem", false, "print the CA certificate (PEM)")
	spki := fs.Bool("spki", false, "print the SPKI hash, for Chromium's --ignore-certificate-errors-spki-list")
	regen := fs.Bool("regenerate", false, "replace the CA with a new one (browsers must then trust the new one)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	dir, err := certs.DefaultDir()
	if err != nil {
		return err
	}
	var ca *certs.CA
	if *regen {
		if ca, err = certs.Regenerate(dir); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "A new certificate authority was created: %s\n"+
			"Browsers that trusted the old one will now reject glassbox's certificates:\n"+
			"remove the old \"glassbox CA\" from their trust stores and trust the new one (steps below).\n\n", ca.CertPath)
	} else if ca, err = certs.LoadOrCreate(dir); err != nil {
		return err
	}
	for _, fix := range ca.Fixed {
		fmt.Fprintln(stderr, "warning:", fix)
	}
	switch {
	case *path:
		fmt.Fprintln(stdout, ca.CertPath)
	case *pem:
		stdout.Write(ca.PEM())
	case *spki:
		fmt.Fprintln(stdout, ca.SPKIHash())
	default:
		fmt.Fprintf(stdout, "glassbox certificate authority\n  subject:     %s\n  certificate: %s\n  SHA-256:     %s\n  SPKI hash:   %s\n  valid until: %s\n\n",
			ca.Cert.Subject.CommonName, ca.CertPath, ca.Fingerprint(), ca.SPKIHash(), ca.Cert.NotAfter.Format("2006-01-02"))
		fmt.Fprint(stdout, certs.InstallSteps(ca.CertPath))
	}
	return nil
}
