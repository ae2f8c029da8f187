package main

import (
	"testing"

	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

func TestSmoke(t *testing.T) {
	s := startServer(t)
	s.createBackend(s.client, "d1abc", "myapp", "dev")
	out, err := s.client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("d1abc")})
	if err != nil {
		t.Fatal(err)
	}
	if aws.StringValue(out.AppName) != "myapp" {
		t.Fatalf("%v", out)
	}
}
