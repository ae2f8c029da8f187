// Package api holds the wire types of the AmplifyBackend API, generated from model/
// (the AWS API model amplifybackend-2020-08-11) by internal/apigen: one struct per
// structure shape, one string type per enum, the Operations interface with the
// operation table (OperationList), input validation in the AWS style and the table of
// modeled exceptions.
//
// The *_gen.go files must not be edited; run `go generate ./...` from the repository root.
package api

//go:generate go run ../apigen -model ../../model/amplifybackend-2020-08-11.api.json -out .
