package fleet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/drover/drover/runner"
)

// A run's life on the server, beyond its submitter: its metadata in a
// key-value bucket, keyed by run id, and a submitter that answers on a
// subject of its own while it lives.
const (
	RunsBucket = "DROVER_RUNS" // run id -> RunInfo (with no prefix; see Names)
	// RunsTTL is how long the server keeps a run's metadata after its last
	// change.
	RunsTTL = 7 * 24 * time.Hour
)

// RunState is where a run is in its life.
type RunState string

const (
	// Submitting: its submitter is putting jobs on the queue.
	Submitting RunState = "submitting"
	// Submitted: every job is on the queue (or finished); its results are
	// collected by its submitter, or, for a detached run, by drover wait.
	Submitted RunState = "submitted"
	// Canceling: drover cancel is stopping it.
	Canceling RunState = "canceling"
	// Canceled: its queued jobs were withdrawn and its running jobs
	// stopped; its results are still to be collected.
	Canceled RunState = "canceled"
	// Collected: every result was recorded by its submitter or by drover
	// wait; nothing of it is left on the server but this record.
	Collected RunState = "collected"
)

// RunInfo is what the server keeps of a run.
type RunInfo struct {
	Run       string    `json:"run"`
	State     RunState  `json:"state"`
	Detached  bool      `json:"detached,omitempty"`
	Submitter string    `json:"submitter"`         // host:pid of drover run
	Results   string    `json:"results,omitempty"` // its --results file, an absolute path on the submitter's host
	Created   time.Time `json:"created"`
	Updated   time.Time `json:"updated"`
	// Queued counts the jobs put on the queue; Local the jobs the submitter
	// recorded itself (skipped, or refused by the server), with their
	// statuses in LocalCounts. Both are final once the state is past
	// Submitting.
	Queued      int           `json:"queued"`
	Local       int           `json:"local"`
	LocalCounts runner.Counts `json:"local_counts"`
	// Final holds the run's counts once it is Collected.
	Final *runner.Counts `json:"final,omitempty"`
	// Incomplete says that the submitter was lost before it had queued
	// every job.
	Incomplete bool `json:"incomplete,omitempty"`
}

// Open says whether the run may still have jobs on the queue, on workers,
// or results that nobody has recorded.
func (i *RunInfo) Open() bool { return i.State != Collected }

// ErrNoRun is the error for a run id the server does not know.
var ErrNoRun = errors.New("no such run on this server")

// runs returns the bucket of run metadata, creating it on first use with
// replicas copies (0: one); unless replicas is 0, a bucket found must
// have as many.
func runs(ctx context.Context, js jetstream.JetStream, names Names, replicas int) (jetstream.KeyValue, error) {
	kv, err := js.KeyValue(ctx, names.RunsBucket)
	if err == nil {
		if replicas > 0 {
			st, err := kv.Status(ctx)
			if err != nil {
				return nil, explain(err)
			}
			if bs, ok := st.(*jetstream.KeyValueBucketStatus); ok && bs.StreamInfo().Config.Replicas != replicas {
				cfg := bs.StreamInfo().Config
				return nil, fmt.Errorf("the bucket %s does not have the settings drover needs: replicas: found %d, want %d (--replicas) (give --replicas %d, or with no run active, delete the bucket (nats kv rm %s) and let drover create it again)",
					names.RunsBucket, cfg.Replicas, replicas, cfg.Replicas, names.RunsBucket)
			}
		}
		return kv, nil
	}
	if !errors.Is(err, jetstream.ErrBucketNotFound) {
		return nil, explain(err)
	}
	kv, err = js.CreateKeyValue(ctx, jetstream.KeyValueConfig{
		Bucket:      names.RunsBucket,
		Description: "drover's runs: state and counts of each run, by run id",
		TTL:         RunsTTL,
		Storage:     jetstream.FileStorage,
		Replicas:    max(replicas, 1),
	})
	if errors.Is(err, jetstream.ErrBucketExists) {
		return js.KeyValue(ctx, names.RunsBucket)
	}
	if err != nil {
		return nil, fmt.Errorf("creating the bucket %s: %w", names.RunsBucket, explain(err))
	}
	return kv, nil
}

// runRecord is a run's metadata with the revision it was read at.
type runRecord struct {
	info RunInfo
	rev  uint64
}

func (s *Server) getRun(ctx context.Context, run string) (*runRecord, error) {
	if CheckRunID(run) != nil {
		return nil, fmt.Errorf("run %q: %w", run, ErrNoRun)
	}
	e, err := s.kv.Get(ctx, run)
	if errors.Is(err, jetstream.ErrKeyNotFound) {
		return nil, fmt.Errorf("run %s: %w", run, ErrNoRun)
	}
	if err != nil {
		return nil, err
	}
	var r runRecord
	if err := json.Unmarshal(e.Value(), &r.info); err != nil {
		return nil, fmt.Errorf("run %s: bad metadata: %w", run, err)
	}
	r.rev = e.Revision()
	return &r, nil
}

// updateRun changes a run's metadata with edit, which may be called more
// than once (when another process changed it in between); edit returning
// false leaves it as it is.
func (s *Server) updateRun(ctx context.Context, run string, edit func(*RunInfo) bool) (*RunInfo, error) {
	for range 20 {
		r, err := s.getRun(ctx, run)
		if err != nil {
			return nil, err
		}
		if !edit(&r.info) {
			return &r.info, nil
		}
		r.info.Updated = time.Now().UTC()
		data, _ := json.Marshal(&r.info)
		_, err = s.kv.Update(ctx, run, data, r.rev)
		if err == nil {
			return &r.info, nil
		}
		if !errors.Is(err, jetstream.ErrKeyExists) { // not a lost race
			return nil, err
		}
	}
	return nil, fmt.Errorf("run %s: its metadata keeps changing", run)
}

func (s *Server) createRun(ctx context.Context, info *RunInfo) error {
	data, _ := json.Marshal(info)
	_, err := s.kv.Create(ctx, info.Run, data)
	return err
}

// submitterAlive asks a run's submitter whether it is still there. No
// answer within a second, or no one listening, means it is gone.
func (s *Server) submitterAlive(run string) bool {
	_, ok := s.askSubmitter(run)
	return ok
}

// askSubmitter asks a run's submitter how far it is.
func (s *Server) askSubmitter(run string) (liveRun, bool) {
	var live liveRun
	m, err := s.nc.Request(s.names.live(run), nil, time.Second)
	if err != nil {
		return live, false
	}
	json.Unmarshal(m.Data, &live)
	return live, true
}

// ListRuns returns what the server knows of every run, newest first.
func (s *Server) ListRuns(ctx context.Context) ([]RunInfo, error) {
	ctx, done := s.guard(ctx)
	defer done()
	keys, err := s.kv.Keys(ctx)
	if errors.Is(err, jetstream.ErrNoKeysFound) {
		return nil, nil
	}
	if err != nil {
		return nil, s.explain(ctx, err)
	}
	var list []RunInfo
	for _, k := range keys {
		if r, err := s.getRun(ctx, k); err == nil {
			list = append(list, r.info)
		}
	}
	slices.SortFunc(list, func(a, b RunInfo) int { return b.Created.Compare(a.Created) })
	return list, nil
}
