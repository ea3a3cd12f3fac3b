package certs

import (
	"fmt"
	"path/filepath"
	"strings"
)

// CommandPrefix starts a step that is a command to type, without the prefix.
// Renderers can show such steps as code; the text rendering keeps the "$ ".
const CommandPrefix = "$ "

// InstallSection is one part of the guide to trusting the CA: a platform or
// a browser, with its steps in order. The CLI prints the guide as text and
// the proxy's setup page renders the same sections as HTML, so the two never
// drift apart.
type InstallSection struct {
	Title string
	// Steps are sentences; a step starting with CommandPrefix is a command.
	Steps []string
}

// InstallGuide explains how to trust (and later remove) the CA whose
// certificate is at certPath, for each browser and system we know. The
// browser only accepts intercepted HTTPS once one of these is done.
func InstallGuide(certPath string) []InstallSection {
	p := quote(certPath)
	keyPath := quote(filepath.Join(filepath.Dir(certPath), KeyFile))
	return []InstallSection{
		{
			Title: "Before you start",
			Steps: []string{
				"The certificate to trust is " + p + ". Only the certificate is needed; never copy the private key.",
				"Check the fingerprint your system shows against the one glassbox prints: every install has its own CA, and its name includes this machine's host name and the day it was made.",
				"Restart the browser after changing its trust store; open tabs keep the old decision.",
			},
		},
		{
			Title: "Chrome or Chromium on Linux",
			Steps: []string{
				"Chromium on Linux reads its own NSS database, not the system store. Install certutil (Debian/Ubuntu: libnss3-tools; Fedora: nss-tools), then run:",
				CommandPrefix + `certutil -d sql:$HOME/.pki/nssdb -A -t "C,," -n glassbox -i ` + p,
				"If the database does not exist yet, create it first with: mkdir -p $HOME/.pki/nssdb && certutil -d sql:$HOME/.pki/nssdb -N --empty-password",
				"Or in the browser: Settings > Privacy and security > Security > Manage certificates, then import " + p + " as a trusted authority (in older versions: Authorities tab > Import, and tick \"Trust this certificate for identifying websites\").",
				"For a throwaway profile you can skip installing: start Chromium with --user-data-dir=DIR --ignore-certificate-errors-spki-list=HASH, where HASH is the CA's SPKI hash (base64 SHA-256 of its public key). The flag is ignored without --user-data-dir.",
			},
		},
		{
			Title: "Chrome or Edge on Windows and macOS",
			Steps: []string{
				"These browsers use the operating system's trust store: follow the Windows or macOS steps below, then restart the browser.",
			},
		},
		{
			Title: "Firefox (every system)",
			Steps: []string{
				"Firefox keeps its own list of authorities. Open Settings > Privacy & Security > Certificates > View Certificates… > Authorities > Import…, choose " + p + ", tick \"Trust this CA to identify websites\" and press OK.",
				"To have it trust the system store instead (Windows and macOS), set security.enterprise_roots.enabled to true in about:config.",
				"For managed installs, a policies.json with {\"policies\": {\"Certificates\": {\"Install\": [" + jsonString(certPath) + "]}}} in Firefox's distribution directory installs it for every profile.",
			},
		},
		{
			Title: "macOS",
			Steps: []string{
				"In Terminal, run (it asks for your password):",
				CommandPrefix + "sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain " + p,
				"Or open Keychain Access, drag the file into the System keychain, double-click the glassbox CA, open Trust and set \"When using this certificate\" to \"Always Trust\".",
			},
		},
		{
			Title: "Windows",
			Steps: []string{
				"In a Command Prompt started with \"Run as administrator\", run:",
				CommandPrefix + "certutil -addstore -f ROOT " + p,
				"Without administrator rights, trust it for your user only: certutil -user -addstore ROOT " + p + " (Windows asks you to confirm).",
				"Or copy the file to a name ending in .crt, double-click it, choose Install Certificate > Local Machine > Place all certificates in the following store > Trusted Root Certification Authorities > Finish.",
			},
		},
		{
			Title: "Linux system store (command-line tools, Go, most libraries)",
			Steps: []string{
				"Debian or Ubuntu:",
				CommandPrefix + "sudo cp " + p + " /usr/local/share/ca-certificates/glassbox.crt && sudo update-ca-certificates",
				"Fedora, RHEL or CentOS:",
				CommandPrefix + "sudo cp " + p + " /etc/pki/ca-trust/source/anchors/glassbox.pem && sudo update-ca-trust",
				"Chromium and Firefox on Linux do not read this store; use their own steps above.",
			},
		},
		{
			Title: "curl and other tools",
			Steps: []string{
				"Point curl at the CA for one command (it then trusts only this CA, which is what you want through the proxy):",
				CommandPrefix + "curl --proxy http://127.0.0.1:PORT --cacert " + p + " https://example.com/",
				"Or for a whole shell: export CURL_CA_BUNDLE=" + p + ". Node.js reads NODE_EXTRA_CA_CERTS, Python requests REQUESTS_CA_BUNDLE.",
			},
		},
		{
			Title: "Traffic to localhost is missing",
			Steps: []string{
				"Browsers never send localhost and 127.0.0.1 through a proxy by default.",
				"Chromium: add --proxy-bypass-list=<-loopback> next to --proxy-server.",
				"Firefox: set network.proxy.allow_hijacking_localhost to true in about:config.",
			},
		},
		{
			Title: "Keep the private key private",
			Steps: []string{
				"The key " + keyPath + " was generated on this machine and glassbox never sends it anywhere. Anyone who has it can impersonate any website to every browser that trusts this CA: do not share it, copy it to other machines or commit it.",
				"If it may have leaked, run glassbox ca --regenerate, remove the old CA everywhere (below) and trust the new one.",
			},
		},
		{
			Title: "Remove the CA again",
			Steps: []string{
				"Chromium on Linux: certutil -d sql:$HOME/.pki/nssdb -D -n glassbox",
				"Firefox: Settings > Privacy & Security > Certificates > View Certificates… > Authorities, select the entry under \"glassbox (local interception CA)\" and press Delete or Distrust…",
				"macOS: sudo security remove-trusted-cert -d " + p + ", then delete the glassbox CA from the System keychain in Keychain Access.",
				"Windows: certmgr.msc (your user) or certlm.msc (the machine) > Trusted Root Certification Authorities > Certificates, delete the glassbox CA. Or, as administrator: certutil -delstore ROOT \"NAME\", where NAME is the CA's full name as listed there (it starts with \"glassbox CA (\").",
				"Debian or Ubuntu: sudo rm /usr/local/share/ca-certificates/glassbox.crt && sudo update-ca-certificates --fresh",
				"Fedora, RHEL or CentOS: sudo rm /etc/pki/ca-trust/source/anchors/glassbox.pem && sudo update-ca-trust",
				"Finally delete " + quote(filepath.Dir(certPath)) + " so the key is gone too.",
			},
		},
	}
}

// InstallSteps renders InstallGuide as plain text for the terminal.
func InstallSteps(certPath string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "How to trust the glassbox CA (%s)\n", certPath)
	for _, s := range InstallGuide(certPath) {
		fmt.Fprintf(&b, "\n%s\n%s\n", s.Title, strings.Repeat("-", len([]rune(s.Title))))
		n := 0
		for _, step := range s.Steps {
			if strings.HasPrefix(step, CommandPrefix) {
				fmt.Fprintf(&b, "       %s\n", step)
				continue
			}
			n++
			fmt.Fprintf(&b, "  %2d. %s\n", n, step)
		}
	}
	return b.String()
}

// quote wraps a path in double quotes when a shell (sh, cmd or PowerShell)
// would split or expand it; Windows profile paths often contain spaces.
func quote(path string) string {
	if strings.ContainsAny(path, " \t'\"$`&|;<>()*?![]{}~#%^") {
		return `"` + strings.ReplaceAll(path, `"`, `\"`) + `"`
	}
	return path
}

// jsonString quotes s for the policies.json example (backslashes in Windows
// paths must be doubled).
func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}
