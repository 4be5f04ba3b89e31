from django.urls import URLPattern, path

from vanthu.records import freeze_views, hold_views, package_views, transfer_views, views

app_name = "records"
urlpatterns: list[URLPattern] = [
    path("ho-so/", views.record_index, name="index"),
    path("ho-so/mo/", views.record_new, name="new"),
    path("ho-so/phong-toa/", freeze_views.freeze_page, name="freezes"),
    path("ho-so/<int:pk>/", views.record_page, name="record"),
    path("ho-so/<int:pk>/ket-thuc/", views.record_close, name="close"),
    path("ho-so/<int:pk>/mo-lai/", views.record_reopen, name="reopen"),
    path("ho-so/<int:pk>/giu-lai/", hold_views.record_hold, name="hold"),
    path("ho-so/<int:pk>/goi/", package_views.package_panel, name="package"),
    path("ho-so/<int:pk>/goi/xuat/", package_views.package_start, name="package_start"),
    path("ho-so/<int:pk>/goi/<str:token>/tai/", package_views.package_download, name="package_download"),
    path("ho-so/<int:pk>/tai-lieu/", views.record_file_other, name="file_other"),
    path("ho-so/<int:pk>/muc/<int:item_pk>/loai/", views.item_remove, name="item_remove"),
    path("documents/<int:pk>/ho-so/", views.document_file, name="file"),
    path("ho-so/danh-muc/", views.catalogue_index, name="catalogues"),
    path("ho-so/danh-muc/<int:pk>/", views.catalogue_page, name="catalogue"),
    path("ho-so/danh-muc/<int:pk>/de-muc/", views.catalogue_heading, name="catalogue_heading"),
    path("ho-so/danh-muc/<int:pk>/them/", views.catalogue_entry, name="catalogue_entry"),
    path("ho-so/danh-muc/<int:pk>/duyet/", views.catalogue_approve, name="catalogue_approve"),
    path("ho-so/danh-muc/<int:pk>/ban-hanh/", views.catalogue_publish, name="catalogue_publish"),
    path("ho-so/danh-muc/<int:pk>/muc/<int:entry_pk>/mo/", views.entry_open, name="entry_open"),
    path("ho-so/nop-luu/", transfer_views.transfer_index, name="transfers"),
    path("ho-so/nop-luu/nop/", transfer_views.transfer_submit, name="transfer_submit"),
    path("ho-so/nop-luu/<int:pk>/", transfer_views.transfer_page, name="transfer"),
    path("ho-so/nop-luu/<int:pk>/nhan/", transfer_views.transfer_accept, name="transfer_accept"),
    path("ho-so/ban-giao/", transfer_views.handover_index, name="handovers"),
    path("ho-so/ban-giao/<int:pk>/", transfer_views.handover_page, name="handover"),
    path("ho-so/ban-giao/<int:pk>/xac-nhan/", transfer_views.handover_confirm, name="handover_confirm"),
]
