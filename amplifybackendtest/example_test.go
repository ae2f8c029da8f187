package amplifybackendtest_test

import (
	"fmt"
	"log"

	"github.com/amplifybackendd/amplifybackendd/amplifybackendtest"
	"github.com/aws/aws-sdk-go/aws"
	"github.com/aws/aws-sdk-go/service/amplifybackend"
)

// The whole pattern: a server, an aws-sdk-go client of it, a job held IN_PROGRESS and then
// failed with a chosen error, a fault that throttles one operation, the journal of what the
// code called, and a reset. In a test, NewServer(t) starts the server and stops it when the
// test ends; a package that shares one server starts it with Start in TestMain, as here.
func Example() {
	srv, err := amplifybackendtest.Start(
		amplifybackendtest.WithJobSettings(amplifybackendtest.JobSettings{Mode: amplifybackendtest.JobsManual}))
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	client := amplifybackend.New(srv, &aws.Config{MaxRetries: aws.Int(0)})

	// The code under test creates a backend, then polls its job.
	out, err := client.CreateBackend(&amplifybackend.CreateBackendInput{
		AppId: aws.String("app1"), AppName: aws.String("shop"), BackendEnvironmentName: aws.String("dev"),
	})
	if err != nil {
		log.Fatal(err)
	}
	poll := func() *amplifybackend.GetBackendJobOutput {
		job, err := client.GetBackendJob(&amplifybackend.GetBackendJobInput{
			AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev"), JobId: out.JobId,
		})
		if err != nil {
			log.Fatal(err)
		}
		return job
	}
	fmt.Println("before:", *poll().Status)

	// The test decides how the job ends.
	if _, err := srv.FinishJob(*out.JobId, amplifybackendtest.JobFailed, "quota exceeded"); err != nil {
		log.Fatal(err)
	}
	job := poll()
	fmt.Println("after:", *job.Status, *job.Error)

	// One GetBackend is throttled, as AWS would throttle it.
	if _, err := srv.AddFault(amplifybackendtest.Fault{
		Operation: "GetBackend",
		Times:     1,
		Error:     &amplifybackendtest.FaultError{Status: 429, Code: "TooManyRequestsException", Message: "Rate exceeded"},
	}); err != nil {
		log.Fatal(err)
	}
	_, err = client.GetBackend(&amplifybackend.GetBackendInput{AppId: aws.String("app1"), BackendEnvironmentName: aws.String("dev")})
	fmt.Println("fault:", err.(*amplifybackend.TooManyRequestsException).Code())

	// What did the code call?
	reqs, err := srv.Requests(amplifybackendtest.RequestFilter{})
	if err != nil {
		log.Fatal(err)
	}
	for i := len(reqs) - 1; i >= 0; i-- {
		fmt.Println("called:", reqs[i].Operation, reqs[i].Status)
	}

	// Before the next test: no state left.
	removed, err := srv.Reset(amplifybackendtest.Scope{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("reset removed jobs:", removed.Jobs)
	// Output:
	// before: IN_PROGRESS
	// after: FAILED quota exceeded
	// fault: TooManyRequestsException
	// called: CreateBackend 200
	// called: GetBackendJob 200
	// called: GetBackendJob 200
	// called: GetBackend 429
	// reset removed jobs: 1
}
