from ninja import NinjaAPI

api = NinjaAPI(title="Meridian API", version="1", urls_namespace="api")
