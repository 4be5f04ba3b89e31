"""The inbox (home page) and the handling forms of incoming documents."""

from django.urls import URLPattern, URLResolver, path

from vanthu.workflow import next_views, stand_in_views, task_views, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.inbox, name="inbox"),
    path("hop-viec/tiep-theo/", next_views.inbox_next, name="inbox_next"),
    path("documents/<int:pk>/present/", views.document_present, name="document_present"),
    path("documents/<int:pk>/direct/", views.document_direct, name="document_direct"),
    path("assignments/<int:pk>/forward/", views.assignment_forward, name="assignment_forward"),
    path("assignments/<int:pk>/start/", views.assignment_start, name="assignment_start"),
    path("assignments/<int:pk>/complete/", views.assignment_complete, name="assignment_complete"),
    path("work/", task_views.my_work, name="my_work"),
    path("xu-ly-thay/", stand_in_views.stand_ins, name="stand_ins"),
    path("follow-up/", views.follow_up, name="follow_up"),
    path("arrivals/bulk/present/", views.arrivals_bulk_present, name="arrivals_bulk_present"),
    path("tasks/<int:pk>/", task_views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/notes/<int:note_pk>/file/", task_views.task_note_file, name="task_note_file"),
    path("tasks/<int:pk>/results/<int:file_pk>/", task_views.task_result_file, name="task_result_file"),
    path("tasks/<int:pk>/accept/", task_views.task_accept, name="task_accept"),
    path("tasks/<int:pk>/seen/", task_views.task_seen, name="task_seen"),
    path("extensions/<int:pk>/decide/", task_views.extension_decide, name="extension_decide"),
    path("units/<int:pk>/board/", task_views.unit_board, name="unit_board"),
    path("units/<int:pk>/handling/", task_views.unit_handling, name="unit_handling"),
    path("directives/", task_views.directive_list, name="directive_list"),
    path("directives/new/", task_views.directive_new, name="directive_new"),
    path("directives/<int:pk>/", task_views.directive_rollup, name="directive_rollup"),
]
