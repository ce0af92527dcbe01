from django.urls import path

from . import views

app_name = "orders"

urlpatterns = [
    path("lookup/", views.order_lookup, name="lookup"),
    path("<int:order_id>/checkout/", views.checkout, name="checkout"),
    path("<int:order_id>/cancel/", views.cancel, name="cancel"),
]
