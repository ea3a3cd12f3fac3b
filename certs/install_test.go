package certs_test

import (
	"strings"
	"testing"

	"github.com/glassbox-dev/glassbox/certs"
)

func TestInstallStepsCoverEveryPlatform(t *testing.T) {
	const path = "/home/ada/.config/glassbox/ca.pem"
	text := certs.InstallSteps(path)
	for _, want := range []string{
		path,
		"Chrome or Chromium on Linux", `certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n glassbox -i ` + path,
		"Manage certificates",
		"Edge",
		"Firefox", "Trust this CA to identify websites", "security.enterprise_roots.enabled", `"Certificates"`,
		"macOS", "sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain " + path,
		"Windows", "certutil -addstore -f ROOT " + path, "Trusted Root Certification Authorities",
		"/usr/local/share/ca-certificates/glassbox.crt", "update-ca-certificates",
		"/etc/pki/ca-trust/source/anchors", "update-ca-trust",
		"curl", "--cacert " + path, "CURL_CA_BUNDLE",
		"--proxy-bypass-list=<-loopback>", "network.proxy.allow_hijacking_localhost",
		"Remove the CA", "certutil -d sql:$HOME/.pki/nssdb -D -n glassbox",
		"/home/ada/.config/glassbox/ca-key.pem", "do not share",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("InstallSteps lacks %q", want)
		}
	}
}

func TestInstallGuideQuotesPaths(t *testing.T) {
	const path = `C:\Users\Ada Lovelace\AppData\Roaming\glassbox\ca.pem`
	text := certs.InstallSteps(path)
	if !strings.Contains(text, `certutil -addstore -f ROOT "`+path+`"`) {
		t.Error("a path with a space is not quoted in commands")
	}
	if !strings.Contains(text, `C:\\Users\\Ada Lovelace`) {
		t.Error("the policies.json example does not escape backslashes")
	}
}

func TestInstallGuideSections(t *testing.T) {
	guide := certs.InstallGuide("/x/ca.pem")
	if len(guide) < 8 {
		t.Fatalf("%d sections", len(guide))
	}
	for _, s := range guide {
		if s.Title == "" || len(s.Steps) == 0 {
			t.Errorf("empty section %+v", s)
		}
		for _, step := range s.Steps {
			if strings.TrimSpace(strings.TrimPrefix(step, certs.CommandPrefix)) == "" {
				t.Errorf("section %q has an empty step", s.Title)
			}
		}
	}
}
