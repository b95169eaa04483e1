// webview entry (being written)
