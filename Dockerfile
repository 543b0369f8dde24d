FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY peakhealth ./peakhealth
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["peakhealth", "serve", "--host", "0.0.0.0", "--port", "8000"]
