package taurusdbemulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// Error is an error the emulator answered, in the API's format.
type Error struct {
	Status  int
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message)
}

// Control makes one control request (body nil for none) and decodes its JSON answer into out
// (nil to drop it); an error answer is an *Error.
func (e *Emulator) Control(method, path string, body, out any) error {
	var reader io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		if err != nil {
			return err
		}
		reader = bytes.NewReader(data)
	}
	request, err := http.NewRequest(method, e.URL+path, reader)
	if err != nil {
		return err
	}
	// A command without a body sends none: a body the emulator does not read would end the
	// kept-alive connection after the answer.
	if method != http.MethodGet {
		request.Header.Set("Content-Type", "application/json")
	}
	if e.controlToken != "" {
		request.Header.Set("X-Emulator-Token", e.controlToken)
	}
	response, err := e.http.Do(request)
	if err != nil {
		return err
	}
	defer response.Body.Close()
	data, err := io.ReadAll(response.Body)
	if err != nil {
		return err
	}
	if response.StatusCode >= 300 {
		var answer struct {
			Code    string `json:"error_code"`
			Message string `json:"error_msg"`
		}
		if json.Unmarshal(data, &answer) != nil || answer.Code == "" {
			answer.Code, answer.Message = fmt.Sprintf("HTTP.%d", response.StatusCode), string(data)
		}
		return &Error{Status: response.StatusCode, Code: answer.Code, Message: answer.Message}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(data, out)
}

// Object is a JSON object as the control API answers it.
type Object = map[string]any

func (e *Emulator) object(method, path string, body any) (Object, error) {
	var out Object
	err := e.Control(method, path, body, &out)
	return out, err
}

func projectQuery(projectID string) string {
	if projectID == "" {
		return ""
	}
	return "?" + url.Values{"project_id": {projectID}}.Encode()
}

// Health is GET /_emulator/health.
func (e *Emulator) Health() (Object, error) { return e.object("GET", "/_emulator/health", nil) }

// State is every project (or one) as the API shows it.
func (e *Emulator) State(projectID string) (Object, error) {
	return e.object("GET", "/_emulator/state"+projectQuery(projectID), nil)
}

// Clock is {"now", "mode"}.
func (e *Emulator) Clock() (Object, error) { return e.object("GET", "/_emulator/clock", nil) }

// Advance moves the clock forward and applies what falls due; its answer lists the
// transitions.
func (e *Emulator) Advance(seconds float64) (Object, error) {
	return e.object("POST", "/_emulator/clock/advance", Object{"seconds": seconds})
}

// SetLifecycle sets how backups and jobs finish: "time", "instant", "manual" or "reads"
// (settings such as "reads", "backup_duration", "automated_backups" beside it).
func (e *Emulator) SetLifecycle(mode string, settings Object) (Object, error) {
	body := Object{"mode": mode}
	for k, v := range settings {
		body[k] = v
	}
	return e.object("PUT", "/_emulator/lifecycle", body)
}

// Complete finishes a building backup now.
func (e *Emulator) Complete(backupID string) (Object, error) {
	return e.object("POST", "/_emulator/backups/"+url.PathEscape(backupID)+"/complete", nil)
}

// Fail fails a building backup now with reason ("" for the default).
func (e *Emulator) Fail(backupID, reason string) (Object, error) {
	return e.object("POST", "/_emulator/backups/"+url.PathEscape(backupID)+"/fail", reasonBody(reason))
}

// Hold keeps a building backup building until completed or failed here.
func (e *Emulator) Hold(backupID string) (Object, error) {
	return e.object("POST", "/_emulator/backups/"+url.PathEscape(backupID)+"/hold", nil)
}

// Wait answers the backup once it has status (COMPLETED, FAILED, ...), within timeout
// ("30s"); a 408 *Error at the timeout.
func (e *Emulator) Wait(backupID, status, timeout string) (Object, error) {
	query := url.Values{"status": {status}, "timeout": {timeout}}.Encode()
	return e.object("GET", "/_emulator/backups/"+url.PathEscape(backupID)+"/wait?"+query, nil)
}

// CompleteJob finishes any running job now (a restore, a creation, a change, a proxy's).
func (e *Emulator) CompleteJob(jobID string) (Object, error) {
	return e.object("POST", "/_emulator/jobs/"+url.PathEscape(jobID)+"/complete", nil)
}

// FailJob fails a running job now with reason ("" for the default).
func (e *Emulator) FailJob(jobID, reason string) (Object, error) {
	return e.object("POST", "/_emulator/jobs/"+url.PathEscape(jobID)+"/fail", reasonBody(reason))
}

// HoldJob keeps a running job running until completed or failed here.
func (e *Emulator) HoldJob(jobID string) (Object, error) {
	return e.object("POST", "/_emulator/jobs/"+url.PathEscape(jobID)+"/hold", nil)
}

// WaitJob answers the job once it has status (Running, Completed, Failed), within timeout.
func (e *Emulator) WaitJob(jobID, status, timeout string) (Object, error) {
	query := url.Values{"status": {status}, "timeout": {timeout}}.Encode()
	return e.object("GET", "/_emulator/jobs/"+url.PathEscape(jobID)+"/wait?"+query, nil)
}

// RequestFault is one fault of POST /_emulator/faults/requests. It strikes requests of
// Operation ("create", "list", ..., "*"), only those of Method, ProjectID and InstanceID (as
// their paths name them) when set: the next Count (0: one, or with a Rate every one) or a Rate
// of them (above 0, at most 1, drawn from the emulator's seeded sequence), Before the operation
// runs or After it commits (Phase "before", the default, or "after"). It answers a Preset
// ("busy", "DBS.200019", ..., "server-error", "throttled", "backend-unavailable",
// "backend-timeout") or Status with ErrorCode and ErrorMsg, cuts the connection (Connection
// "reset", "close", "stall", or "trickle" a byte every Interval), or answers after Delay
// ("500ms").
type RequestFault struct {
	Operation  string  `json:"operation"`
	Method     string  `json:"method,omitempty"`
	ProjectID  string  `json:"project_id,omitempty"`
	InstanceID string  `json:"instance_id,omitempty"`
	Phase      string  `json:"phase,omitempty"`
	Count      int     `json:"count,omitempty"`
	Rate       float64 `json:"rate,omitempty"`
	Preset     string  `json:"preset,omitempty"`
	Status     int     `json:"status,omitempty"`
	ErrorCode  string  `json:"error_code,omitempty"`
	ErrorMsg   string  `json:"error_msg,omitempty"`
	Connection string  `json:"connection,omitempty"`
	Delay      string  `json:"delay,omitempty"`
	Interval   string  `json:"interval,omitempty"`
}

// Fault sets a request fault.
func (e *Emulator) Fault(fault RequestFault) (Object, error) {
	return e.object("POST", "/_emulator/faults/requests", fault)
}

// JobFailure is one rule of POST /_emulator/faults/backups: the next Count backups (or, by
// Operation, "restore", "create_instance", "change_instance", "proxy" jobs), of InstanceID
// or of any, end failed with Reason.
type JobFailure struct {
	Count      int    `json:"count,omitempty"`
	Operation  string `json:"operation,omitempty"`
	InstanceID string `json:"instance_id,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// FailNext sets a failure rule for the next backups or jobs.
func (e *Emulator) FailNext(rule JobFailure) (Object, error) {
	return e.object("POST", "/_emulator/faults/backups", rule)
}

// Faults lists the faults since the last clear, with their hits.
func (e *Emulator) Faults() (Object, error) { return e.object("GET", "/_emulator/faults", nil) }

// ClearFaults removes every fault.
func (e *Emulator) ClearFaults() error { return e.Control("DELETE", "/_emulator/faults", nil, nil) }

// Reset brings one project (or, for "", everything) back to the starting fixtures.
func (e *Emulator) Reset(projectID string) error {
	return e.Control("POST", "/_emulator/reset"+projectQuery(projectID), nil, nil)
}

// Snapshot is the state (of one project, or of all for "") as a fixtures document.
func (e *Emulator) Snapshot(projectID string) (Object, error) {
	return e.object("GET", "/_emulator/snapshot"+projectQuery(projectID), nil)
}

// LoadFixtures adds (or replaces) the projects of a fixtures document (a snapshot, say).
func (e *Emulator) LoadFixtures(document any) error {
	return e.Control("POST", "/_emulator/fixtures", document, nil)
}

// Requests is the journal of the last requests, oldest first.
func (e *Emulator) Requests() (Object, error) { return e.object("GET", "/_emulator/requests", nil) }

// ClearRequests empties the journal.
func (e *Emulator) ClearRequests() error { return e.Control("DELETE", "/_emulator/requests", nil, nil) }

// AddLogs adds error- and slow-log entries (the fixtures' logs format) to an instance.
func (e *Emulator) AddLogs(instanceID string, errorLogs, slowLogs []Object) (Object, error) {
	if errorLogs == nil {
		errorLogs = []Object{}
	}
	if slowLogs == nil {
		slowLogs = []Object{}
	}
	return e.object("POST", "/_emulator/instances/"+url.PathEscape(instanceID)+"/logs",
		Object{"error_logs": errorLogs, "slow_logs": slowLogs})
}

func reasonBody(reason string) Object {
	if reason == "" {
		return Object{}
	}
	return Object{"reason": reason}
}
