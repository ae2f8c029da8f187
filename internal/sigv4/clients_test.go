package sigv4

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"github.com/amplifybackendd/amplifybackendd/internal/testenv"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// clientOutcome is one line of a client script's output.
type clientOutcome struct {
	Case    string `json:"case"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Region  string `json:"region"`
	Key     string `json:"key"`
}

// runClient runs a client script against a verifying server and returns its outcomes by case.
func runClient(t *testing.T, env []string, name string, args ...string) map[string]clientOutcome {
	t.Helper()
	srv := newVerifyServer(t, time.Now)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, append(args, srv.URL, testKey, testSecret)...)
	cmd.Env = testenv.Env(env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %v\n%s", name, err, stderr.String())
	}
	got := map[string]clientOutcome{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var o clientOutcome
		if err := json.Unmarshal(sc.Bytes(), &o); err != nil {
			t.Fatalf("bad output line %q: %v", sc.Text(), err)
		}
		got[o.Case] = o
	}
	return got
}

// checkClientOutcomes asserts the outcomes both client scripts share.
func checkClientOutcomes(t *testing.T, got map[string]clientOutcome) {
	t.Helper()
	// region "" for a success: the output shape has no member to echo it in.
	want := map[string]struct{ code, region string }{
		"get_backend":          {"", "us-east-1"},
		"get_backend_job":      {"", ""},
		"list_backend_jobs":    {"", ""},
		"region":               {"", "eu-central-1"},
		"session_token":        {"", "us-east-1"},
		"wrong_secret":         {string(InvalidSignature), ""},
		"unknown_key":          {string(UnrecognizedClient), ""},
		"presigned":            {"", "us-west-2"},
		"presigned_query":      {"", "us-west-2"},
		"raw_query":            {"", "us-east-1"},
		"raw_headers":          {"", "us-east-1"},
		"raw_unsigned_payload": {"", "us-east-1"},
	}
	for i := 0; i < 13; i++ {
		want[fmt.Sprintf("odd_app_id_%d", i)] = struct{ code, region string }{"", "us-east-1"}
	}
	if len(got) != len(want) {
		t.Errorf("%d outcomes, want %d", len(got), len(want))
	}
	for c, w := range want {
		o, ok := got[c]
		switch {
		case !ok:
			t.Errorf("%s: no outcome", c)
		case o.Code != w.code:
			t.Errorf("%s: code %q (%s), want %q", c, o.Code, o.Message, w.code)
		case w.region != "" && (o.Region != w.region || o.Key != testKey):
			t.Errorf("%s: region %q, key %q; want %q, %q", c, o.Region, o.Key, w.region, testKey)
		}
	}
	if o := got["wrong_secret"]; !strings.HasPrefix(o.Message, MismatchMessage) {
		t.Errorf("wrong_secret message %q", o.Message)
	}
}

// TestBotocore signs requests with botocore (boto3's amplifybackend client and botocore's
// SigV4 signers, which normalize paths) and verifies them here.
func TestBotocore(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test runs python3 with boto3")
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: install it with boto3 to run this test (.ci/run requires it)")
	}
	if err := exec.Command(python, "-c", "import boto3, botocore").Run(); err != nil {
		t.Skip("boto3 is not installed: pip install boto3 to run this test (.ci/run requires it)")
	}
	checkClientOutcomes(t, runClient(t, []string{"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null"}, python, "testdata/clients/botocore_client.py"))
}

// TestJavaScriptSDK signs requests with the AWS JavaScript SDK v3 (the amplifybackend client
// and @smithy/signature-v4, installed for the e2e suites) and verifies them here.
func TestJavaScriptSDK(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: this test runs node with the JavaScript SDK")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed: install nodejs to run this test (.ci/run does)")
	}
	modules, err := filepath.Abs("../../e2e/js/node_modules")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(modules, "@aws-sdk/client-amplifybackend")); err != nil {
		t.Skip("the JavaScript SDK is not installed: run `(cd e2e/js && npm ci)` to enable this test (.ci/run does)")
	}
	checkClientOutcomes(t, runClient(t, []string{"NODE_PATH=" + modules}, node, "testdata/clients/jsv3_client.cjs"))
}
