// Command apigen generates the wire types of the AmplifyBackend API (package
// internal/api) from the AWS API model in model/.
//
// Usage:
//
//	go run ./internal/apigen -model model/amplifybackend-2020-08-11.api.json -out internal/api
//
// It writes types_gen.go, enums_gen.go, validate_gen.go, operations_gen.go,
// exceptions_gen.go, encode_gen.go (an AppendJSON method per structure) and
// encode_gen_test.go (every structure, for the encoder tests). The docs.json next to the model (same name, ".docs.json") supplies
// the doc comments. Output is deterministic: shapes and operations are sorted by name,
// members and enum values keep model order.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	modelPath := flag.String("model", "", "path of the api.json model")
	docsPath := flag.String("docs", "", "path of the docs.json (default: next to the model)")
	out := flag.String("out", ".", "output directory")
	pkg := flag.String("package", "api", "package name of the generated files")
	flag.Parse()
	if *modelPath == "" {
		fmt.Fprintln(os.Stderr, "apigen: -model is required")
		os.Exit(2)
	}
	if *docsPath == "" {
		*docsPath = defaultDocsPath(*modelPath)
	}
	if err := run(*modelPath, *docsPath, *out, *pkg); err != nil {
		fmt.Fprintln(os.Stderr, "apigen:", err)
		os.Exit(1)
	}
}

// defaultDocsPath is the docs.json next to an api.json model.
func defaultDocsPath(modelPath string) string {
	return strings.TrimSuffix(modelPath, ".api.json") + ".docs.json"
}

// run loads the model and writes every generated file into out.
func run(modelPath, docsPath, out, pkg string) error {
	m, err := loadModel(modelPath, docsPath)
	if err != nil {
		return err
	}
	files, err := generate(m, pkg)
	if err != nil {
		return err
	}
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(out, f.name), f.src, 0o644); err != nil {
			return err
		}
	}
	return nil
}
