"""The bi-monthly reports (heatmap.pipeline.reports): calendar, status, snapshots, period diffs, valid leads."""

CATALOG = {
}
