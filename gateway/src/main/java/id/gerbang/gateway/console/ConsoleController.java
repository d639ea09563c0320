package id.gerbang.gateway.console;

import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/** The console's entry: each person lands on the pages of their job. */
@Controller
class ConsoleController {

    @GetMapping({"/console", "/console/"})
    String home(Authentication auth) {
        ConsoleUser user = ConsoleUser.of(auth);
        return user.auditor() ? "redirect:/console/trail" : user.admin() ? "redirect:/console/services" : "console/no-role";
    }

    @GetMapping("/console/forbidden")
    String forbidden(jakarta.servlet.http.HttpServletResponse response) {
        response.setStatus(403);
        return "console/forbidden";
    }

    @GetMapping("/console/logged-out")
    String loggedOut() {
        return "console/logged-out";
    }
}
