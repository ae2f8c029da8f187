package wireconfig

import (
	"encoding/json"
	"testing"

	"github.com/amplifybackendd/amplifybackendd/internal/amplify"
)

func TestStorage(t *testing.T) {
	var c Configs
	got, err := c.Storage(json.RawMessage(`{"bucketName":"my-files","serviceName":"S3","permissions":{"authenticated":["READ"]}}`))
	if err != nil || *got != (amplify.StorageConfig{BucketName: "my-files", ServiceName: "S3"}) {
		t.Fatalf("Storage = %+v, %v", got, err)
	}
	if got, err := c.Storage(nil); err != nil || *got != (amplify.StorageConfig{}) {
		t.Fatalf("Storage(nil) = %+v, %v", got, err)
	}
	if _, err := c.Storage(json.RawMessage(`{"bucketName":5}`)); err == nil {
		t.Fatal("Storage read a number as the bucket name")
	}
	raw, err := c.EncodeStorage(amplify.StorageConfig{BucketName: "seeded-bucket", ServiceName: "S3"})
	if want := `{"bucketName":"seeded-bucket","serviceName":"S3"}`; err != nil || string(raw) != want {
		t.Fatalf("EncodeStorage = %s, %v; want %s", raw, err, want)
	}
}
