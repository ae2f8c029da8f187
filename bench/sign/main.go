// Command sign prints the headers of one SigV4-signed request (aws-sdk-go's signer), one
// "Name: value" line each, for a load generator to replay. A replayed signature stays valid
// as long as the server's clock-skew window (15 minutes), so sign right before the run.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"sort"
	"time"

	"github.com/aws/aws-sdk-go/aws/credentials"
	v4 "github.com/aws/aws-sdk-go/aws/signer/v4"
)

// userAgent is what aws-sdk-go sends; the signer leaves it unsigned, as AWS does.
const userAgent = "aws-sdk-go/1.55.8 (go1.26; linux; amd64)"

func main() {
	method := flag.String("method", "GET", "HTTP method")
	url := flag.String("url", "", "full request URL, host and port included (required)")
	body := flag.String("body", "", "request body")
	accessKey := flag.String("access-key", "123456789012", "access key id")
	secretKey := flag.String("secret-key", "benchmark-secret-key", "secret access key")
	region := flag.String("region", "us-east-1", "region of the credential scope")
	service := flag.String("service", "amplifybackend", "service of the credential scope")
	flag.Parse()
	if *url == "" {
		flag.Usage()
		os.Exit(2)
	}
	req, err := http.NewRequest(*method, *url, nil)
	if err != nil {
		log.Fatalf("sign: %v", err)
	}
	req.Host = req.URL.Host
	if *body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	signer := v4.NewSigner(credentials.NewStaticCredentials(*accessKey, *secretKey, ""))
	if _, err := signer.Sign(req, bytes.NewReader([]byte(*body)), *service, *region, time.Now()); err != nil {
		log.Fatalf("sign: %v", err)
	}
	req.Header.Set("User-Agent", userAgent)
	names := make([]string, 0, len(req.Header))
	for name := range req.Header {
		names = append(names, name)
	}
	sort.Strings(names)
	fmt.Printf("Host: %s\n", req.Host)
	for _, name := range names {
		fmt.Printf("%s: %s\n", name, req.Header.Get(name))
	}
}
