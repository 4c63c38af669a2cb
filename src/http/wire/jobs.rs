//! Bodies of the job endpoint (`http/jobs.rs`).

use serde::{Deserialize, Serialize};

use crate::domain::Job;
use crate::domain::time::format_api_time;

/// Query of `GET /v3/{project_id}/jobs`.
#[derive(Debug, Deserialize)]
pub struct JobParams {
    pub id: Option<String>,
}

/// `200` answer of the job query.
#[derive(Debug, Serialize)]
pub struct JobResponse {
    pub job: JobItem,
}

#[derive(Debug, Serialize)]
pub struct JobItem {
    pub id: String,
    pub name: &'static str,
    pub status: &'static str,
    pub created: String,
    pub ended: String,
    pub process: String,
    pub instance: JobInstance,
    pub entities: JobEntities,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fail_reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct JobInstance {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Serialize)]
pub struct JobEntities {
    pub resource_ids: Vec<String>,
}

impl From<Job> for JobResponse {
    fn from(job: Job) -> Self {
        let resource_ids = job.resource_ids();
        Self {
            job: JobItem {
                id: job.id.to_string(),
                name: job.name(),
                status: job.status.as_str(),
                created: format_api_time(job.created),
                ended: job.ended.map(format_api_time).unwrap_or_default(),
                process: String::new(),
                instance: JobInstance {
                    id: job.instance_id.to_string(),
                    name: job.instance_name,
                },
                entities: JobEntities { resource_ids },
                fail_reason: job.fail_reason,
            },
        }
    }
}
