//! A whole table as one stream: its splits read `concurrency` at a time, each
//! page by page, so memory holds a few pages per split in flight, never the table.

use futures::stream::{self, Stream, StreamExt};
use scylla::response::{PagingState, PagingStateResponse};

use super::{CassandraReader, Scan, TokenSplit};
use crate::error::{Error, ReadError};

impl CassandraReader {
    /// Every batch of the table, `concurrency` splits read at once; batches
    /// of different splits interleave. Memory is bounded by the pages in
    /// flight (two per split being read), whatever the table's size.
    ///
    /// ```no_run
    /// # async fn demo(reader: pycassandra::CassandraReader) -> Result<(), pycassandra::Error> {
    /// use futures::TryStreamExt;
    /// let mut batches = std::pin::pin!(reader.batches(4).await?);
    /// while let Some(batch) = batches.try_next().await? {
    ///     println!("{} rows", batch.num_rows());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn batches(
        &self,
        concurrency: usize,
    ) -> Result<impl Stream<Item = Result<arrow_array::RecordBatch, Error>> + '_, Error> {
        let splits = self.splits().await?;
        Ok(stream::iter(splits)
            .map(move |split| Box::pin(scan_stream(self.scan(&split))))
            .flatten_unordered(concurrency.max(1)))
    }

    /// Every row of the table as `T` (`#[derive(CassandraRow)]`, read by a
    /// reader from [`open_rows`](Self::open_rows)), `concurrency` splits at
    /// once, page by page: the driver's `rows_stream` over the whole ring.
    ///
    /// ```no_run
    /// # #[derive(pycassandra::row::CassandraRow)] #[cassandra(table = "orders")]
    /// # struct Order { #[cassandra(partition_key)] id: i64, total: i64 }
    /// # async fn demo(options: pycassandra::ReadOptions) -> Result<(), pycassandra::Error> {
    /// use futures::TryStreamExt;
    /// let reader = pycassandra::CassandraReader::open_rows::<Order>(options).await?;
    /// let total: i64 = reader.rows::<Order>(4).await?.try_fold(0, |sum, order| async move { Ok(sum + order.total) }).await?;
    /// # Ok(()) }
    /// ```
    pub async fn rows<T>(&self, concurrency: usize) -> Result<impl Stream<Item = Result<T, Error>> + '_, Error>
    where
        T: for<'frame, 'metadata> scylla::deserialize::row::DeserializeRow<'frame, 'metadata> + Send + 'static,
    {
        let splits = self.splits().await?;
        Ok(stream::iter(splits)
            .map(move |split| Box::pin(self.typed_pages::<T>(split)))
            .flatten_unordered(concurrency.max(1))
            .flat_map(|page| {
                let rows: Vec<Result<T, Error>> = match page {
                    Ok(rows) => rows.into_iter().map(Ok).collect(),
                    Err(error) => vec![Err(error)],
                };
                stream::iter(rows)
            }))
    }

    /// One split's rows as `T`, a page at a time.
    pub(super) fn typed_pages<T>(&self, split: TokenSplit) -> impl Stream<Item = Result<Vec<T>, Error>> + '_
    where
        T: for<'frame, 'metadata> scylla::deserialize::row::DeserializeRow<'frame, 'metadata>,
    {
        let statement = self.routed_statement(&split);
        stream::unfold(Some(PagingState::start()), move |paging| {
            let (statement, split) = (statement.clone(), split.clone());
            async move {
                let paging = paging?;
                match self.typed_page::<T>(&statement, &split, paging).await {
                    Ok((rows, next)) => Some((Ok(rows), next)),
                    Err(error) => Some((Err(error), None)),
                }
            }
        })
    }

    async fn typed_page<T>(
        &self,
        statement: &scylla::statement::prepared::PreparedStatement,
        split: &TokenSplit,
        paging: PagingState,
    ) -> Result<(Vec<T>, Option<PagingState>), Error>
    where
        T: for<'frame, 'metadata> scylla::deserialize::row::DeserializeRow<'frame, 'metadata>,
    {
        let failed = |source: Box<dyn std::error::Error + Send + Sync>| ReadError::Statement {
            table: self.table.qualified_name(),
            cql: self.plan.cql.clone(),
            source,
        };
        let page = if self.plan.binds_range {
            self.session.execute_single_page(statement, (split.range.start, split.range.end), paging).await
        } else {
            self.session.execute_single_page(statement, (), paging).await
        };
        let (result, next) = page.map_err(|e| failed(Box::new(e)))?;
        let result = result.into_rows_result().map_err(|e| failed(Box::new(e)))?;
        let mut rows = Vec::with_capacity(result.rows_num());
        for row in result.rows::<T>().map_err(|e| failed(Box::new(e)))? {
            rows.push(row.map_err(|e| failed(Box::new(e)))?);
        }
        let next = match next {
            PagingStateResponse::HasMorePages { state } => Some(state),
            PagingStateResponse::NoMorePages => None,
        };
        Ok((rows, next))
    }
}

fn scan_stream(scan: Scan) -> impl Stream<Item = Result<arrow_array::RecordBatch, Error>> {
    stream::unfold(Some(scan), |state| async move {
        let mut scan = state?;
        match scan.next_batch().await {
            Ok(Some(batch)) => Some((Ok(batch), Some(scan))),
            Ok(None) => None,
            Err(error) => Some((Err(error), None)),
        }
    })
}
