# Sourced by the side-by-side benchmarks: nginx_conf NAME SERVERS writes $WORK/NAME.conf, an
# nginx of one worker with no access log, its pid, logs and temporary files under $WORK.
nginx_conf() {
  cat > "$WORK/$1.conf" <<CONF
worker_processes 1;
pid $WORK/$1.pid;
error_log $WORK/$1-error.log;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_temp_path $WORK/client_body;
  proxy_temp_path $WORK/proxy_temp;
$2
}
CONF
}
