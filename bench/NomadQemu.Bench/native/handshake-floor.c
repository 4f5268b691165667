/* The floor any plugin pays: a native program that prints a go-plugin-shaped handshake line at once and then
 * idles until stdin closes, exactly as the plugin is launched and observed by the suite. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    char buffer[64];
    fputs("1|2|unix|/tmp/handshake-floor.sock|grpc\n", stdout);
    fflush(stdout);
    while (read(0, buffer, sizeof buffer) > 0)
    {
    }
    return 0;
}
