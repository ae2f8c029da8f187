package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/aws/credentials"
	"github.com/aws/aws-sdk-go/aws/session"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

func TestRateLimitPerAccount(t *testing.T) {
	var log syncBuffer
	s := startServer(t, func(m *Main) {
		m.Config.RateLimit, m.Config.RateBurst = 1, 2
		m.Config.LogFormat, m.Config.LogLevel, m.LogOutput = "json", "info", &log
	})
	a := s.clientAs("111111111111", "us-east-1")
	get := func(c *amplifybackend.AmplifyBackend) error {
		_, err := c.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc")})
		return err
	}
	for i := 0; i < 2; i++ {
		wantCode(t, get(a), "NotFoundException") // within the burst: served
	}
	err := get(a)
	var tm *amplifybackend.TooManyRequestsException
	if !errors.As(err, &tm) {
		t.Fatalf("over the limit: %v; want *TooManyRequestsException", err)
	}
	if aws.StringValue(tm.LimitType) == "" || tm.StatusCode() != 429 {
		t.Errorf("LimitType %q, status %d", aws.StringValue(tm.LimitType), tm.StatusCode())
	}
	// Other accounts have buckets of their own.
	wantCode(t, get(s.clientAs("222222222222", "us-east-1")), "NotFoundException")
	// Time refills the bucket.
	s.clock.Advance(time.Second)
	wantCode(t, get(a), "NotFoundException")

	// The SDK treats the 429 as throttling and retries; once the bucket refills it gets through.
	retrying := amplifybackend.New(session.Must(session.NewSession(&aws.Config{
		Endpoint: aws.String(s.URL()), Region: aws.String("us-east-1"), MaxRetries: aws.Int(3),
		Credentials: credentials.NewStaticCredentials("333333333333", "secret", ""),
	})))
	wantCode(t, get(retrying), "NotFoundException")
	wantCode(t, get(retrying), "NotFoundException")
	done := make(chan error, 1)
	go func() { done <- get(retrying) }()
	// Wait until the server has throttled the first attempt, then refill the bucket.
	for !strings.Contains(log.String(), `"account":"333333333333","region":"us-east-1","status":429`) {
		select {
		case err := <-done:
			t.Fatalf("the third request was not throttled: %v", err)
		case <-time.After(5 * time.Millisecond):
		}
	}
	s.clock.Advance(time.Second)
	if err := <-done; err == nil {
		t.Fatal("GetBackend of a missing app succeeded")
	} else {
		wantCode(t, err, "NotFoundException")
	}
}
