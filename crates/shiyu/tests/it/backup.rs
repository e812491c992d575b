//! `shiyu backup` while serving and `shiyu restore`: the restored database holds exactly what
//! was acknowledged before the backup, its histories verify, and its counters equal a rebuild.

use shiyu_domain::scope::Scope;

use crate::common::{TestApp, engines};

#[tokio::test]
async fn a_backup_taken_while_serving_restores_to_exactly_what_it_held() {
    for engine in engines() {
        let mut app = TestApp::spawn(engine).await;
        let op = app.client("operator").await;
        for i in 0..3 {
            app.new_case(&op, &app.fx.grid, &format!("备份前的诉求{i}")).await;
        }
        let city = Scope::Subtree(app.fx.city.clone());
        let counts = |store: shiyu_storage::Store| {
            let city = city.clone();
            async move { store.state_counts(&city).await.expect("counts").iter().map(|(_, n)| n).sum::<i64>() }
        };
        let out = app.dir.path().join("backup.bin");
        let bytes = shiyu::backup::backup(&app.store, &app.database_url, app.dir.path(), &out).await.expect("backup");
        assert!(bytes > 0);
        assert!(
            shiyu::backup::backup(&app.store, &app.database_url, app.dir.path(), &out).await.is_err(),
            "never overwrites"
        );
        // Written after the backup: gone after the restore.
        app.new_case(&op, &app.fx.grid, "备份后的诉求").await;
        assert_eq!(counts(app.store.clone()).await, 4);
        app.stop().await;
        app.store.close().await;
        shiyu::backup::restore(&app.database_url, app.dir.path(), &out).await.expect("restore");
        let store = shiyu::app::open_store(&app.database_url, app.dir.path()).await.expect("reopen");
        assert_eq!(counts(store.clone()).await, 3, "exactly what the backup held");
        let report = store.verify_histories().await.expect("verify");
        assert!(report.findings.is_empty() && report.cases == 3, "{:?}", report.findings);
        let rebuilt = store.rebuild_counters(false).await.expect("rebuild");
        assert_eq!((rebuilt.different, rebuilt.count_differences.len()), (0, 0), "{:?}", rebuilt.differences);
        store.close().await;
    }
}
