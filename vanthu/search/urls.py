from django.urls import URLPattern, path

from vanthu.search import mine_views, views

urlpatterns: list[URLPattern] = [
    path("search/", views.results, name="search"),
    path("search/export.xlsx", views.export_xlsx, name="search_export"),
    path("search/export.docx", views.export_docx, name="search_export_docx"),
    path("search/export.pdf", views.export_pdf, name="search_export_pdf"),
    path("van-ban-cua-toi/", mine_views.my_documents_page, name="my_documents"),
    path("van-ban-cua-toi/cai-dat/", mine_views.opens_next_setting, name="opens_next_setting"),
]
