package cli

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aiosys/aios/client"
)

// selfSigned writes a certificate for 127.0.0.1 and its key into dir and returns their paths
// and a pool that trusts the certificate.
func selfSigned(t *testing.T, dir string) (certPath, keyPath string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "aios test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certPath, keyPath = filepath.Join(dir, "k.crt"), filepath.Join(dir, "k.key")
	if err := os.WriteFile(certPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certPath, keyPath, pool
}

func TestKernelServeOverTLS(t *testing.T) {
	t.Setenv(EnvTokensFile, "")
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "aios.toml")
	if err := os.WriteFile(cfgPath, []byte("data_dir = \""+filepath.Join(dir, "data")+"\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	certPath, keyPath, pool := selfSigned(t, dir)
	stderr := &lockedBuffer{}
	addrs := make(chan net.Addr, 1)
	o := &KernelServeOptions{IO: &IOStreams{Out: &bytes.Buffer{}, ErrOut: stderr}, Listen: "127.0.0.1:0",
		ConfigPath: cfgPath, TLSCert: certPath, TLSKey: keyPath, Grace: time.Minute, KeepRuns: 10,
		MaxActive: 10, EventBuffer: 100, ApprovalTimeout: time.Minute, Engine: "wazero", LogFormat: "text",
		ready: func(a net.Addr) { addrs <- a }}
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	served := make(chan error, 1)
	go func() { served <- runKernelServe(ctx, o) }()
	var addr net.Addr
	select {
	case addr = <-addrs:
	case err := <-served:
		t.Fatalf("serve ended early: %v\n%s", err, stderr)
	case <-time.After(2 * time.Minute):
		t.Fatal("the server did not start")
	}
	h := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	c := client.New("https://"+addr.String(), "", client.WithHTTPClient(h))
	if err := c.Ready(ctx); err != nil {
		t.Fatalf("readyz over TLS: %v", err)
	}
	if _, err := client.New("http://"+addr.String(), "").Runs(ctx); err == nil {
		t.Fatal("plain HTTP to the TLS server worked")
	}
	stop()
	if err := <-served; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "serving https://") {
		t.Fatalf("stderr: %s", stderr)
	}
}

func TestKernelServeRefusesBadFlags(t *testing.T) {
	t.Setenv(EnvTokensFile, "")
	for _, args := range [][]string{
		{"--tls-cert", "x.crt"},
		{"--grace", "-1s"},
		{"--max-body", "lots"},
		{"--log-format", "xml"},
		{"--max-active", "-3"},
	} {
		var stdout, stderr bytes.Buffer
		code := Main(append([]string{"kernel", "serve", "--listen", "127.0.0.1:0"}, args...), strings.NewReader(""), &stdout, &stderr)
		if code != ExitUsage {
			t.Errorf("%v: exit %d (%s), want 64", args, code, stderr.String())
		}
	}
	var stdout, stderr bytes.Buffer
	if code := Main([]string{"kernel", "serve", "--modules-dir", filepath.Join(t.TempDir(), "nope")}, strings.NewReader(""), &stdout, &stderr); code != ExitConfig || !strings.Contains(stderr.String(), "--modules-dir") {
		t.Errorf("a missing modules directory: exit %d (%s), want 78", code, stderr.String())
	}
	missing := filepath.Join(t.TempDir(), "tokens")
	if code := Main([]string{"kernel", "serve", "--tokens-file", missing}, strings.NewReader(""), &stdout, &stderr); code != ExitConfig || !strings.Contains(stderr.String(), "tokens file") {
		t.Errorf("a missing tokens file: exit %d (%s), want 78", code, stderr.String())
	}
}
