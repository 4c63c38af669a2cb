//! One job at a time, whatever it does (a backup, a restore, an instance's creation):
//! complete, fail or hold it, wait for it. A backup's job is driven through its backup.

use super::*;

#[derive(Serialize)]
pub(in crate::http) struct JobCommandDone {
    job_id: String,
    status: &'static str,
}

fn job_done(job: &Job) -> Response {
    json(
        StatusCode::OK,
        &JobCommandDone {
            job_id: job.id.to_string(),
            status: job.status.as_str(),
        },
    )
}

/// The failure reason of a job failed without one.
pub(in crate::http) const DEFAULT_JOB_FAIL_REASON: &str = "Job failed.";

/// `POST /_emulator/jobs/{job_id}/complete`: a running job completes now (a restored
/// instance is `ACTIVE` again, a created one `ACTIVE`) → `{"job_id", "status": "Completed"}`.
pub(in crate::http) async fn complete_job(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(job_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let job = emulator.store.complete_job(&job_id, emulator.clock.now())?;
    Ok(job_done(&job))
}

/// `POST /_emulator/jobs/{job_id}/fail [{"reason"}]`: a running job fails now with
/// `fail_reason` (a restored instance is `ACTIVE` again, a created one `FAILED`).
pub(in crate::http) async fn fail_job(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(job_id): ApiPath<String>,
    request: axum::extract::Request,
) -> Result<Response, ApiError> {
    let reason = fail_reason(request, &emulator, DEFAULT_JOB_FAIL_REASON).await?;
    let job = emulator
        .store
        .fail_job(&job_id, reason, emulator.clock.now())?;
    Ok(job_done(&job))
}

/// `POST /_emulator/jobs/{job_id}/hold`: a running job stays `Running` (and its instance
/// `RESTORING` or `BUILD`) until it is completed or failed here.
pub(in crate::http) async fn hold_job(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(job_id): ApiPath<String>,
) -> Result<Response, ApiError> {
    let job = emulator.store.hold_job(&job_id, emulator.clock.now())?;
    Ok(job_done(&job))
}

/// `GET /_emulator/jobs/{job_id}/wait?status=Completed&timeout=30s`: answers the job (as the
/// task API shows it) as soon as it has that status; 408 at the timeout; 409 at once if it
/// ended with another status; 404 if there is no such job.
pub(in crate::http) async fn wait_job(
    State(emulator): State<Arc<Emulator>>,
    ApiPath(job_id): ApiPath<String>,
    ApiQuery(params): ApiQuery<WaitParams>,
) -> Result<Response, ApiError> {
    let wanted = match params.status.as_deref() {
        None | Some("") => JobStatus::Completed,
        Some(s) => JobStatus::parse(s)
            .ok_or_else(|| bad(format!("status {s:?} is not Running, Completed or Failed")))?,
    };
    long_poll(&emulator, params.timeout()?, "job", || {
        let job = emulator
            .store
            .find_job(&job_id, emulator.clock.now())
            .ok_or(ApiError::UnknownJob)?;
        if job.status == wanted {
            return Ok(Some(json(StatusCode::OK, &JobResponse::from(job).job)));
        }
        if job.status != JobStatus::Running {
            return Err(ApiError::WaitEndedElsewhere("job", job.status.as_str()));
        }
        Ok(None)
    })
    .await
}
