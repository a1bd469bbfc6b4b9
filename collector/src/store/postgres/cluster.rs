//! Several nodes on one database: the scheduled full pass of the summaries claimed by one
//! of them, and the schools it changed published to the others.

use std::time::Duration;

use jiff::Timestamp;
use readiness::Uai;

use super::{PostgresStore, parse_uai};
use crate::store::StoreError;
use crate::store::columns::{ms, ts};

impl crate::store::ClusterSummaries for PostgresStore {
    /// One `UPDATE` compares and sets the time of the last claim: of nodes asking at once,
    /// one sees its row updated. A node that dies during its pass only delays the next one
    /// by a period.
    fn claim_full_pass(&self, now: Timestamp, every: Duration) -> Result<bool, StoreError> {
        let slack = (every / 10).min(Duration::from_secs(10));
        let before = now - jiff::SignedDuration::try_from(every - slack).unwrap_or_default();
        let (now, before) = (ms(now), ms(before));
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let n = c
                .execute(
                    "UPDATE cluster_claims SET at = $1 WHERE name = 'full_summaries' AND at <= $2",
                    &[&now, &before],
                )
                .await?;
            Ok(n == 1)
        })
    }

    fn publish_summary_changes(
        &self,
        schools: &[Uai],
        at: Timestamp,
        keep_after: Timestamp,
    ) -> Result<(), StoreError> {
        let schools: Vec<String> = schools.iter().map(|s| s.as_str().to_owned()).collect();
        let (at, keep_after) = (ms(at), ms(keep_after));
        self.call(move |pool| async move {
            let mut c = pool.get().await?;
            let t = c.transaction().await?;
            t.execute("DELETE FROM summary_changes WHERE at < $1", &[&keep_after])
                .await?;
            t.execute(
                "INSERT INTO summary_changes (school, at) SELECT unnest($1::text[]), $2",
                &[&schools, &at],
            )
            .await?;
            t.commit().await?;
            Ok(())
        })
    }

    fn summary_changes_since(&self, since: Timestamp) -> Result<Vec<(Uai, Timestamp)>, StoreError> {
        self.call(move |pool| async move {
            let c = pool.get().await?;
            let st = c
                .prepare_cached(
                    "SELECT school, max(at) FROM summary_changes WHERE at >= $1 GROUP BY school",
                )
                .await?;
            c.query(&st, &[&ms(since)])
                .await?
                .iter()
                .map(|row| Ok((parse_uai(row.try_get(0)?)?, ts(row.try_get(1)?))))
                .collect()
        })
    }
}
