"""Create the "translator" and "reviewer" groups with their permissions."""

from django.db import migrations

from translator.permissions import (
    REVIEWER_GROUP,
    REVIEWER_PERMISSIONS,
    TRANSLATOR_GROUP,
    TRANSLATOR_PERMISSIONS,
)


def create_groups(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    app_config = apps.get_app_config("translator")
    app_config.models_module = True  # create_permissions skips apps without models_module
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (
        (TRANSLATOR_GROUP, TRANSLATOR_PERMISSIONS),
        (REVIEWER_GROUP, REVIEWER_PERMISSIONS),
    ):
        group, _ = Group.objects.get_or_create(name=name)
        perms = Permission.objects.filter(
            content_type__app_label="translator", codename__in=codenames
        )
        group.permissions.set(perms)


def remove_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=[TRANSLATOR_GROUP, REVIEWER_GROUP]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("translator", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
