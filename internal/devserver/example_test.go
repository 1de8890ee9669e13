package devserver_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"time"

	enums "go.temporal.io/api/enums/v1"

	"github.com/hookgate/hookgate/internal/devserver"
)

// The dev command starts one server for the whole session, keeps its state in
// a folder, and stops it on exit.
func ExampleStart() {
	dir, err := os.MkdirTemp("", "hookgate-dev")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := devserver.Start(ctx, devserver.Options{
		DataDir: dir,
		SearchAttributes: map[string]enums.IndexedValueType{
			"HookgateSource": enums.INDEXED_VALUE_TYPE_KEYWORD,
		},
		Logger: slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Workers and clients dial s.Address(); people open s.UIURL().
	fmt.Println("namespace:", s.Namespace())
	fmt.Println("ui:", s.UIURL() != "")
	if err := s.Stop(); err != nil {
		fmt.Println(err)
	}
	// Output:
	// namespace: default
	// ui: false
}
