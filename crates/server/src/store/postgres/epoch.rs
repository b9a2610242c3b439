//! The database's epoch in PostgreSQL: two rows of `meta`, made with the
//! schema. A PostgreSQL database is put back with `pg_restore`, not by this
//! server; after one, `meta` must get a new epoch (the README says how).

use deadpool_postgres::GenericClient;
use tokio_postgres::Row;

use super::PgStore;
use crate::store::backup::new_epoch_id;
use crate::store::{Epoch, StoreError};

/// Gives a database without an epoch one (it is new: its cursors count).
pub(super) async fn ensure(tx: &impl GenericClient) -> Result<(), StoreError> {
    let id = new_epoch_id()?;
    tx.execute("INSERT INTO meta (key, value) VALUES ('epoch', $1), ('legacy_cursors', 'yes') ON CONFLICT (key) DO NOTHING", &[&id]).await?;
    Ok(())
}

/// The statement that reads the epoch's two rows (for [`from_rows`]), so a
/// sync can send it along with its own statements.
pub(super) const READ: &str = "SELECT key, value FROM meta WHERE key IN ('epoch', 'legacy_cursors')";

/// The database's epoch.
pub(super) async fn read(tx: &impl GenericClient) -> Result<Epoch, StoreError> {
    let stmt = tx.prepare_cached(READ).await?;
    from_rows(&tx.query(&stmt, &[]).await?)
}

/// The epoch from the rows of [`READ`].
pub(super) fn from_rows(rows: &[Row]) -> Result<Epoch, StoreError> {
    let (mut id, mut legacy_cursors) = (None, false);
    for row in rows {
        let (key, value): (String, String) = (row.get(0), row.get(1));
        match key.as_str() {
            "epoch" => id = Some(value),
            _ => legacy_cursors = value == "yes",
        }
    }
    let id = id.ok_or_else(|| StoreError("the database has no epoch (meta table damaged)".into()))?;
    Ok(Epoch { id, legacy_cursors })
}

impl PgStore {
    /// The database's epoch (administration and tests).
    pub async fn epoch(&self) -> Result<Epoch, StoreError> {
        let client = self.client().await?;
        read(&client).await
    }
}
