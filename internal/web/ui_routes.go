package web

// uiRoutes are the browser pages' routes (the web UI).
func (a *app) uiRoutes() []route {
	return []route{
		{"GET /{$}", public, a.home},
	}
}
