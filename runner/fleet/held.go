package fleet

import (
	"context"
	"encoding/json"
	"time"

	"github.com/nats-io/nats.go"

	"github.com/drover/drover/jobspec"
)

// HeldJob is a job a worker holds: running, or taken and waiting to start.
type HeldJob struct {
	Run     string           `json:"run"`
	Seq     int              `json:"seq"`
	ID      string           `json:"id"`
	Record  jobspec.Position `json:"record"`
	Running bool             `json:"running"`
	Worker  string           `json:"worker"`
}

// heldReport is a worker's answer on the status subject: how many jobs it
// holds in all, and those of the run asked about.
type heldReport struct {
	Worker string    `json:"worker"`
	Held   int       `json:"held"`
	Jobs   []HeldJob `json:"jobs"`
}

// answerStatus answers a request on the status subject, whose body is a
// run id (or empty: every run).
func (w *Worker) answerStatus(m *nats.Msg) {
	run := string(m.Data)
	rep := heldReport{Worker: w.cfg.Name, Jobs: []HeldJob{}}
	w.mu.Lock()
	for _, h := range w.held {
		if h.state != waiting && h.state != started {
			continue
		}
		rep.Held++
		if run == "" || h.m.Run == run {
			rep.Jobs = append(rep.Jobs, HeldJob{Run: h.m.Run, Seq: h.m.Seq, ID: h.m.ID, Record: h.m.Record,
				Running: h.state == started, Worker: w.cfg.Name})
		}
	}
	w.mu.Unlock()
	if data, err := json.Marshal(rep); err == nil {
		m.Respond(data)
	}
}

// heldJobs asks the workers which jobs of run they hold (every run's, for
// ""). It waits until the workers that answered account for every job the
// workers' consumer has handed out, or for at most wait: a worker that is
// lost, or cut off, leaves its jobs out.
func (s *Server) heldJobs(ctx context.Context, run string, wait time.Duration) ([]HeldJob, error) {
	cons, err := s.js.Consumer(ctx, s.names.JobsStream, s.names.Consumer)
	if err != nil {
		return nil, nil // no consumer: no worker ever started
	}
	info, err := cons.Info(ctx)
	if err != nil {
		return nil, err
	}
	if info.NumAckPending == 0 {
		return nil, nil
	}
	inbox := s.nc.NewInbox()
	sub, err := s.nc.SubscribeSync(inbox)
	if err != nil {
		return nil, err
	}
	defer sub.Unsubscribe()
	if err := s.nc.PublishRequest(s.names.status(), inbox, []byte(run)); err != nil {
		return nil, err
	}
	var jobs []HeldJob
	held := 0
	deadline := time.Now().Add(wait)
	for held < info.NumAckPending {
		m, err := sub.NextMsg(time.Until(deadline))
		if err != nil { // the wait is over
			break
		}
		if m.Header.Get("Status") == "503" { // no worker listening
			break
		}
		var rep heldReport
		if json.Unmarshal(m.Data, &rep) != nil {
			continue
		}
		held += rep.Held
		jobs = append(jobs, rep.Jobs...)
	}
	return jobs, nil
}
