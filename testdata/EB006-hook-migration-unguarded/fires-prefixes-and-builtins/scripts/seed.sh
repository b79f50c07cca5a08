python manage.py migrate sessions
